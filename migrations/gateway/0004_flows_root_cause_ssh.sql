-- HALO Flows, continued: root-cause grouping of offline alerts, and the
-- per-node SSH targets (address overrides and pinned host keys) that the
-- command action checks against.

-- Raised by a flow a node_event "offline" trigger started: such an alert can
-- be the root cause of, or be grouped under, another node's offline alert.
ALTER TABLE flow_alerts ADD COLUMN node_offline INTEGER NOT NULL DEFAULT 0 CHECK (node_offline IN (0, 1));
CREATE INDEX flow_alerts_parent ON flow_alerts(parent_id) WHERE parent_id IS NOT NULL;

-- The HALO-managed known_hosts file is written from this table, so the table
-- is the one truth and the file is never half-written by hand.
CREATE TABLE flow_ssh_targets (
  node_id    TEXT PRIMARY KEY REFERENCES nodes(id) ON DELETE CASCADE,
  host       TEXT,                           -- overrides the address the node reports
  port       INTEGER NOT NULL DEFAULT 22 CHECK (port BETWEEN 1 AND 65535),
  user       TEXT,                           -- overrides the identity's login user
  host_keys  TEXT NOT NULL DEFAULT '[]',     -- JSON array of "ssh-ed25519 AAAA…"
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL
) STRICT;
