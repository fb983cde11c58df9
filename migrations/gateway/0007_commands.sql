-- The command channel: what operators asked nodes to do, its state and result.
-- A one-off command for a node without an open command stream is stored as
-- refused; a desired-state command waits queued until the node connects.
CREATE TABLE commands (
  id            TEXT PRIMARY KEY,       -- cmd-<16 hex>
  node_id       TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
  type          TEXT NOT NULL,
  params        TEXT NOT NULL,          -- JSON, defaults applied
  desired_state INTEGER NOT NULL CHECK (desired_state IN (0, 1)),
  state         TEXT NOT NULL CHECK (state IN
                  ('queued', 'sent', 'running', 'succeeded', 'failed', 'expired', 'refused',
                   'superseded')),
  issued_by     TEXT NOT NULL,
  issued_role   TEXT NOT NULL CHECK (issued_role IN ('viewer', 'operator', 'admin')),
  created_at    INTEGER NOT NULL,
  deadline      INTEGER NOT NULL,
  sent_at       INTEGER,
  started_at    INTEGER,
  finished_at   INTEGER,
  result        TEXT,                   -- JSON as the API shows it
  result_digest TEXT,                   -- sha256 of the agent's result body: a repeat must match
  error_code    TEXT,
  error_message TEXT,
  CHECK ((error_code IS NULL) = (error_message IS NULL))
) STRICT;
CREATE INDEX commands_node ON commands(node_id, created_at);
-- Commands still to deliver or finish: read on every connect and expiry check.
CREATE INDEX commands_open_node ON commands(node_id) WHERE state IN ('queued', 'sent', 'running');
CREATE INDEX commands_open_deadline ON commands(deadline) WHERE state IN ('queued', 'sent', 'running');

-- Images a caller asked the gateway to keep (camera_snapshot with store: true).
CREATE TABLE command_images (
  command_id   TEXT PRIMARY KEY REFERENCES commands(id) ON DELETE CASCADE,
  content_type TEXT NOT NULL,
  data         BLOB NOT NULL,
  created_at   INTEGER NOT NULL
) STRICT;
