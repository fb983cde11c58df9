-- Telemetry store. Layout (see gateway/telemetry/store.ts for the design note):
-- an ingest log written by group commit, compacted every 10 minutes into
-- per-series compressed chunks and rollups keyed by time first, so each
-- compaction appends at the end of its B-trees instead of touching pages
-- all over the file (SD cards wear by bytes written).

-- One row per series: (node, metric, labels) is its identity.
CREATE TABLE telemetry_series (
  id         INTEGER PRIMARY KEY,
  node_id    TEXT NOT NULL REFERENCES nodes(id),
  metric     TEXT NOT NULL,
  labels     TEXT NOT NULL DEFAULT '{}',   -- canonical JSON, keys sorted
  unit       TEXT,
  created_at INTEGER NOT NULL,
  last_ts    INTEGER,                      -- latest sample as of the last compaction
  last_value REAL,
  UNIQUE (node_id, metric, labels)
) STRICT;

-- Acknowledged samples not yet compacted: one row per group commit.
CREATE TABLE telemetry_log (
  id          INTEGER PRIMARY KEY,
  received_at INTEGER NOT NULL,
  data        BLOB NOT NULL                -- gateway/telemetry/log_codec.ts
) STRICT;

-- Batches stored, so a retried batch is acknowledged without being stored twice.
CREATE TABLE telemetry_batches (
  node_id     TEXT NOT NULL,
  epoch       TEXT NOT NULL,
  batch_seq   INTEGER NOT NULL,
  body_hash   BLOB NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (node_id, epoch, batch_seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX telemetry_batches_received ON telemetry_batches(received_at);

-- Raw samples of one series in one 10-minute window (chunk_codec.ts).
CREATE TABLE telemetry_raw (
  window_start INTEGER NOT NULL,
  series_id    INTEGER NOT NULL,
  count        INTEGER NOT NULL,
  data         BLOB NOT NULL,
  PRIMARY KEY (window_start, series_id)
) STRICT, WITHOUT ROWID;

-- 1-minute rollups (min, max, sum, count) of one series in one 10-minute window.
CREATE TABLE telemetry_1m (
  window_start INTEGER NOT NULL,
  series_id    INTEGER NOT NULL,
  data         BLOB NOT NULL,
  PRIMARY KEY (window_start, series_id)
) STRICT, WITHOUT ROWID;

-- 1-hour rollups.
CREATE TABLE telemetry_1h (
  hour_start INTEGER NOT NULL,
  series_id  INTEGER NOT NULL,
  min        REAL NOT NULL,
  max        REAL NOT NULL,
  sum        REAL NOT NULL,
  count      INTEGER NOT NULL,
  PRIMARY KEY (hour_start, series_id)
) STRICT, WITHOUT ROWID;
