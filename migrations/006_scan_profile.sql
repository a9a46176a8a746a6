-- What the last full scan learned about the market listing, so the next scan (also after a restart) cuts its
-- created-time windows to fill about one page each instead of guessing: every open market's created time.
CREATE TABLE scan_profiles (
  scope      TEXT PRIMARY KEY,           -- which exchange: 'sim', 'demo' or 'prod'
  taken_at   INTEGER NOT NULL,           -- epoch ms of the scan
  markets    INTEGER NOT NULL,
  created_s  BLOB NOT NULL,              -- created times in whole seconds, ascending, as LEB128 varint deltas
  page_ms    INTEGER,                    -- a page's round trip without token wait (ms)
  ordered    INTEGER NOT NULL DEFAULT 1  -- every page listed newest first
);

-- The last cycle's decision trail in one row (120,000 decisions in a few MB), replaced each cycle; /why looks a
-- ticker up in it. Single decisions written afterwards go to `decisions` and win over the trail.
CREATE TABLE decision_trail (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  cycle_id  INTEGER NOT NULL,
  markets   INTEGER NOT NULL,
  tickers   BLOB NOT NULL,   -- raw-deflated, newline-separated, in row order
  rows      BLOB NOT NULL,   -- columns of `markets` entries: layer u8, outcome u8, side u8, price_e4 i32 LE, reason u32 LE
  reasons   TEXT NOT NULL    -- JSON array of the distinct reason texts
);
