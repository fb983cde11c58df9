-- HALO Flows: the seed's seven tables plus what the engine needs to be
-- correct across restarts (versions, per-step execution records, trigger
-- and cooldown state, silences).

CREATE TABLE flows (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  version     INTEGER NOT NULL DEFAULT 1,
  builtin     TEXT UNIQUE,                  -- e.g. 'node_offline' for shipped flows
  created_at  INTEGER NOT NULL,
  created_by  TEXT NOT NULL,
  updated_at  INTEGER NOT NULL,
  updated_by  TEXT NOT NULL
) STRICT;

CREATE TABLE flow_steps (
  flow_id     INTEGER NOT NULL REFERENCES flows(id) ON DELETE CASCADE,
  step_id     TEXT NOT NULL,
  type        TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('trigger', 'condition', 'action')),
  name        TEXT,
  config      TEXT NOT NULL,               -- JSON, validated by the type's schema
  template_id INTEGER REFERENCES flow_action_templates(id) ON DELETE RESTRICT,
  position_x  REAL,
  position_y  REAL,
  PRIMARY KEY (flow_id, step_id)
) STRICT;
CREATE INDEX flow_steps_type ON flow_steps(type);

CREATE TABLE flow_edges (
  flow_id   INTEGER NOT NULL REFERENCES flows(id) ON DELETE CASCADE,
  from_step TEXT NOT NULL,
  to_step   TEXT NOT NULL,
  branch    TEXT NOT NULL DEFAULT '' CHECK (branch IN ('', 'true', 'false', 'success', 'failure')),
  PRIMARY KEY (flow_id, from_step, to_step, branch)
) STRICT;

-- Each saved version's whole definition: an execution runs against the version it started with.
CREATE TABLE flow_versions (
  flow_id    INTEGER NOT NULL REFERENCES flows(id) ON DELETE CASCADE,
  version    INTEGER NOT NULL,
  definition TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  PRIMARY KEY (flow_id, version)
) STRICT;

CREATE TABLE flow_executions (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  flow_id         INTEGER NOT NULL REFERENCES flows(id) ON DELETE CASCADE,
  flow_version    INTEGER NOT NULL,
  trigger_type    TEXT NOT NULL,
  trigger_context TEXT NOT NULL,            -- JSON
  status          TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted')),
  dry_run         INTEGER NOT NULL DEFAULT 0,
  started_at      INTEGER NOT NULL,
  finished_at     INTEGER,
  error           TEXT
) STRICT;
CREATE INDEX flow_executions_flow ON flow_executions(flow_id, id);
CREATE INDEX flow_executions_running ON flow_executions(status) WHERE status = 'running';

CREATE TABLE flow_step_executions (
  execution_id INTEGER NOT NULL REFERENCES flow_executions(id) ON DELETE CASCADE,
  step_id      TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped')),
  outcome      TEXT,                         -- the branch it took: true/false/success/failure
  input        TEXT,                         -- JSON, secrets removed
  output       TEXT,                         -- JSON, secrets removed
  started_at   INTEGER,
  finished_at  INTEGER,
  PRIMARY KEY (execution_id, step_id)
) STRICT;

CREATE TABLE flow_action_templates (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  type       TEXT NOT NULL CHECK (type IN ('alert', 'webhook_out', 'command', 'for_each_node')),
  config     TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE flow_alerts (
  id              INTEGER PRIMARY KEY,
  flow_id         INTEGER REFERENCES flows(id) ON DELETE SET NULL,
  execution_id    INTEGER REFERENCES flow_executions(id) ON DELETE SET NULL,
  dedupe_key      TEXT NOT NULL,            -- one open alert per key
  node_id         TEXT REFERENCES nodes(id) ON DELETE SET NULL,
  severity        TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  message         TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
  auto_resolve    INTEGER NOT NULL DEFAULT 1,
  parent_id       INTEGER REFERENCES flow_alerts(id) ON DELETE SET NULL, -- root-cause grouping
  silenced        INTEGER NOT NULL DEFAULT 0,
  data            TEXT NOT NULL DEFAULT '{}',
  opened_at       INTEGER NOT NULL,
  acknowledged_at INTEGER,
  acknowledged_by TEXT,
  resolved_at     INTEGER,
  resolved_by     TEXT
) STRICT;
CREATE UNIQUE INDEX flow_alerts_open ON flow_alerts(dedupe_key) WHERE status != 'resolved';
CREATE INDEX flow_alerts_status ON flow_alerts(status, id);

CREATE TABLE flow_variables (
  flow_id    INTEGER NOT NULL REFERENCES flows(id) ON DELETE CASCADE,
  name       TEXT NOT NULL,
  value      TEXT NOT NULL,                -- JSON
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (flow_id, name)
) STRICT;

-- Crossing state of sensor_value triggers per (flow, node, series): a restart neither re-fires nor misses.
CREATE TABLE flow_trigger_state (
  flow_id    INTEGER NOT NULL REFERENCES flows(id) ON DELETE CASCADE,
  step_id    TEXT NOT NULL,
  key        TEXT NOT NULL,
  state      TEXT NOT NULL,                -- JSON: crossed, since, last value
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (flow_id, step_id, key)
) STRICT;

CREATE TABLE flow_cooldowns (
  flow_id INTEGER NOT NULL REFERENCES flows(id) ON DELETE CASCADE,
  step_id TEXT NOT NULL,
  scope   TEXT NOT NULL,                   -- '' for the flow, a node id per node
  until   INTEGER NOT NULL,
  PRIMARY KEY (flow_id, step_id, scope)
) STRICT;

-- Maintenance windows: suppress alerts and webhooks for a node, tag or flow until ends_at.
CREATE TABLE silences (
  id         INTEGER PRIMARY KEY,
  target     TEXT NOT NULL CHECK (target IN ('node', 'tag', 'flow')),
  value      TEXT NOT NULL,
  reason     TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  ends_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX silences_ends ON silences(ends_at);
