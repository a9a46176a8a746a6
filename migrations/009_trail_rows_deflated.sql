-- The decision trail's `rows` blob may be raw-deflated (rows_format 1): about 1.3 MB of columns a cycle become a few
-- tens of KB, so each cycle writes and syncs less. Rows written before this (format 0) are read as they are.
ALTER TABLE decision_trail ADD COLUMN rows_format INTEGER NOT NULL DEFAULT 0;
