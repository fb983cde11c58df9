-- Re-enrollment that cannot take a node over: a known, live node gets new
-- credentials only with its own agent token or with an admin's replacement
-- token, a join token made to replace that one node, usable once.
ALTER TABLE join_tokens ADD COLUMN replaces_node TEXT REFERENCES nodes(id) ON DELETE CASCADE
  CHECK (replaces_node IS NULL OR max_uses = 1);
CREATE INDEX join_tokens_replaces_node ON join_tokens(replaces_node) WHERE replaces_node IS NOT NULL;
