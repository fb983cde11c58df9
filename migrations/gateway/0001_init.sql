-- HALO gateway: foundation schema. Hand-written; never edit once applied,
-- add a new numbered file instead. Times are epoch milliseconds (UTC).

CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,            -- JSON
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL
) STRICT;

CREATE TABLE users (
  id                   INTEGER PRIMARY KEY,
  username             TEXT NOT NULL UNIQUE,
  password_hash        TEXT NOT NULL,
  role                 TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL,
  last_login_at        INTEGER
) STRICT;

CREATE TABLE sessions (
  token_hash   TEXT PRIMARY KEY,        -- sha256 of the cookie value
  user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL,
  role         TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  token_hash   TEXT NOT NULL UNIQUE,
  prefix       TEXT NOT NULL,
  created_by   TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at   INTEGER
) STRICT;

CREATE TABLE meshes (
  id          INTEGER PRIMARY KEY,
  ssid        TEXT NOT NULL UNIQUE,
  channel     INTEGER NOT NULL,
  psk         TEXT NOT NULL,            -- write-only over the API
  description TEXT NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
) STRICT;

-- One row per physical device (canonical device model).
CREATE TABLE nodes (
  id                TEXT PRIMARY KEY,   -- n-<12 hex>
  name              TEXT NOT NULL,
  role              TEXT NOT NULL CHECK (role IN ('gateway', 'node')),
  status            TEXT NOT NULL CHECK (status IN ('enrolled', 'online', 'offline', 'decommissioned')),
  mesh_id           INTEGER REFERENCES meshes(id) ON DELETE SET NULL,
  hw_serial         TEXT,
  hw_machine_id     TEXT,
  wg_public_key     TEXT,
  hostname          TEXT,
  boot_id           TEXT,
  uptime_s          REAL,
  versions          TEXT NOT NULL DEFAULT '{}',  -- JSON
  last_report_at    INTEGER,
  enrolled_at       INTEGER NOT NULL,
  decommissioned_at INTEGER,
  updated_at        INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX nodes_name ON nodes(name) WHERE decommissioned_at IS NULL;
CREATE UNIQUE INDEX nodes_serial ON nodes(hw_serial) WHERE hw_serial IS NOT NULL;
CREATE UNIQUE INDEX nodes_machine_id ON nodes(hw_machine_id) WHERE hw_machine_id IS NOT NULL;
CREATE UNIQUE INDEX nodes_wg_key ON nodes(wg_public_key) WHERE wg_public_key IS NOT NULL;
-- Exactly one live gateway per HALO network.
CREATE UNIQUE INDEX nodes_one_gateway ON nodes(role) WHERE role = 'gateway' AND decommissioned_at IS NULL;

CREATE TABLE node_tags (
  node_id TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
  tag     TEXT NOT NULL,
  PRIMARY KEY (node_id, tag)
) STRICT, WITHOUT ROWID;

CREATE TABLE agent_tokens (
  id         INTEGER PRIMARY KEY,
  node_id    TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
) STRICT;
CREATE INDEX agent_tokens_node ON agent_tokens(node_id);

CREATE TABLE join_tokens (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  prefix     TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  max_uses   INTEGER NOT NULL CHECK (max_uses >= 1),
  uses       INTEGER NOT NULL DEFAULT 0,
  revoked_at INTEGER
) STRICT;

-- Children of a node: interfaces, sensors, attached endpoints, overlay peers, mesh links.
CREATE TABLE interfaces (
  node_id    TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
  name       TEXT NOT NULL,
  kind       TEXT NOT NULL,
  mac        TEXT,
  addresses  TEXT NOT NULL DEFAULT '[]',  -- JSON array of CIDRs
  up         INTEGER NOT NULL,
  mtu        INTEGER,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (node_id, name)
) STRICT, WITHOUT ROWID;
CREATE INDEX interfaces_mac ON interfaces(mac) WHERE mac IS NOT NULL;

CREATE TABLE node_sensors (
  node_id      TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  kind         TEXT NOT NULL,
  bus          TEXT,
  address      TEXT,
  last_seen_at INTEGER NOT NULL,
  PRIMARY KEY (node_id, name)
) STRICT, WITHOUT ROWID;

CREATE TABLE endpoints (
  node_id       TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
  mac           TEXT NOT NULL,
  ip            TEXT,
  hostname      TEXT,
  iface         TEXT NOT NULL,
  first_seen_at INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL,
  present       INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (node_id, mac)
) STRICT, WITHOUT ROWID;

CREATE TABLE overlay_peers (
  node_id            TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
  public_key         TEXT NOT NULL,
  endpoint           TEXT,
  allowed_ips        TEXT NOT NULL DEFAULT '[]',
  latest_handshake_s INTEGER,
  rx_bytes           INTEGER NOT NULL DEFAULT 0,
  tx_bytes           INTEGER NOT NULL DEFAULT 0,
  updated_at         INTEGER NOT NULL,
  PRIMARY KEY (node_id, public_key)
) STRICT, WITHOUT ROWID;

-- Current mesh links as the reporting node sees them (directional, like batman-adv TQ).
CREATE TABLE mesh_links (
  node_id         TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
  neighbor_mac    TEXT NOT NULL,
  iface           TEXT NOT NULL,
  tq              INTEGER,
  throughput_kbps REAL,
  signal_dbm      REAL,
  last_seen_ms    INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  PRIMARY KEY (node_id, neighbor_mac)
) STRICT, WITHOUT ROWID;

-- Link-quality history, sampled at most once a minute per link to spare the SD card.
CREATE TABLE link_history (
  from_node       TEXT NOT NULL,
  to_node         TEXT NOT NULL,
  ts              INTEGER NOT NULL,
  tq              INTEGER,
  throughput_kbps REAL,
  signal_dbm      REAL,
  PRIMARY KEY (from_node, to_node, ts)
) STRICT, WITHOUT ROWID;
CREATE INDEX link_history_ts ON link_history(ts);

CREATE TABLE events (
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  ts      INTEGER NOT NULL,
  type    TEXT NOT NULL,
  node_id TEXT REFERENCES nodes(id) ON DELETE SET NULL,
  message TEXT NOT NULL,
  data    TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX events_ts ON events(ts);
CREATE INDEX events_node ON events(node_id, id);
CREATE INDEX events_type ON events(type, id);

CREATE TABLE audit_log (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  ts         INTEGER NOT NULL,
  actor_kind TEXT NOT NULL,             -- user, token, agent, system
  actor      TEXT NOT NULL,
  action     TEXT NOT NULL,             -- e.g. user.create, login.failed
  target     TEXT,
  ip         TEXT,
  details    TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX audit_ts ON audit_log(ts);
CREATE INDEX audit_action ON audit_log(action, id);

-- Brain/neuron model: neurons, their four components, placed on devices many-to-many.
CREATE TABLE neurons (
  id          TEXT PRIMARY KEY,
  description TEXT NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE neuron_placements (
  neuron_id TEXT NOT NULL REFERENCES neurons(id) ON DELETE CASCADE,
  component TEXT NOT NULL CHECK (component IN ('sensor', 'thought', 'memory', 'send')),
  node_id   TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
  PRIMARY KEY (neuron_id, component, node_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX neuron_placements_node ON neuron_placements(node_id);
