-- Calibration from the exchange's own history. One row per observation: a settled (or, for the shadow book,
-- still open) market seen at a price on the side a favourite-buyer takes, with how it resolved.
--   source 'history': pulled by `npm run calibrate` (the quote `sample_key` hours before close, from candlesticks);
--   source 'shadow':  every market a cycle saw in band, at its first sighting in each time-to-settlement bin
--                     (`sample_key` = the bin's upper bound in hours); resolved when the market settles.
CREATE TABLE calibration_obs (
  source             TEXT NOT NULL CHECK (source IN ('history', 'shadow')),
  ticker             TEXT NOT NULL,
  sample_key         INTEGER NOT NULL,
  side               TEXT NOT NULL CHECK (side IN ('yes', 'no')),
  event_ticker       TEXT NOT NULL,
  category           TEXT,
  price_e4           INTEGER NOT NULL CHECK (price_e4 > 0 AND price_e4 < 10000),   -- the ask of `side`
  observed_at        INTEGER NOT NULL,
  settles_at         INTEGER NOT NULL,
  fee_type           TEXT NOT NULL,
  fee_multiplier_e4  INTEGER NOT NULL,
  result             TEXT CHECK (result IN ('yes', 'no')),                         -- NULL: not settled yet
  resolved_at        INTEGER,
  PRIMARY KEY (source, ticker, sample_key, side)
) WITHOUT ROWID;
CREATE INDEX calibration_open ON calibration_obs (source, ticker) WHERE result IS NULL;

-- `npm run calibrate` runs, resumable: the settled-market listing window is fixed at the start, its cursor kept after
-- every page; the markets listed and not yet sampled wait in calibration_pending until their candles are read.
CREATE TABLE calibration_runs (
  id              INTEGER PRIMARY KEY,
  started_at      INTEGER NOT NULL,
  min_settled_s   INTEGER NOT NULL,
  max_settled_s   INTEGER NOT NULL,
  hours           TEXT NOT NULL,               -- JSON array: hours before close that are sampled
  list_cursor     TEXT,                        -- next page of the listing (NULL: from the start)
  listed_done     INTEGER NOT NULL DEFAULT 0,
  listed          INTEGER NOT NULL DEFAULT 0,  -- settled markets listed (yes/no results)
  sampled         INTEGER NOT NULL DEFAULT 0,  -- markets whose candles were read
  requests        INTEGER NOT NULL DEFAULT 0,
  finished_at     INTEGER
);

CREATE TABLE calibration_pending (
  run_id        INTEGER NOT NULL REFERENCES calibration_runs (id),
  ticker        TEXT NOT NULL,
  event_ticker  TEXT NOT NULL,
  close_ms      INTEGER NOT NULL,
  settles_ms    INTEGER NOT NULL,
  result        TEXT NOT NULL CHECK (result IN ('yes', 'no')),
  PRIMARY KEY (run_id, ticker)
) WITHOUT ROWID;

-- Small state of the calibration machinery (e.g. how far the shadow book's settlement sync has read).
CREATE TABLE calibration_state (
  name   TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);
