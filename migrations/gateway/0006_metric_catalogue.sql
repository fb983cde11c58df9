-- Metrics declared at run time (sensor templates, external monitors), beside the
-- built-ins of lib/metrics/catalogue.ts: one lookup explains both.
CREATE TABLE metric_catalogue (
  name        TEXT PRIMARY KEY,
  unit        TEXT,
  labels      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(labels) AND json_type(labels) = 'array'),
  description TEXT NOT NULL,
  source      TEXT NOT NULL,
  updated_at  INTEGER NOT NULL
) STRICT;
