-- The trade journal. Money: integer ten-thousandths of a dollar (_e4); counts: integer hundredths (_e2).
-- Times: epoch milliseconds. A trading "day" is YYYY-MM-DD in the configured TIMEZONE.

CREATE TABLE cycles (
  id            INTEGER PRIMARY KEY,
  started_at    INTEGER NOT NULL,
  finished_at   INTEGER,
  mode          TEXT NOT NULL,
  markets       INTEGER NOT NULL DEFAULT 0,
  skipped       INTEGER NOT NULL DEFAULT 0,
  candidates    INTEGER NOT NULL DEFAULT 0,
  validated     INTEGER NOT NULL DEFAULT 0,
  orders        INTEGER NOT NULL DEFAULT 0,
  halted        INTEGER NOT NULL DEFAULT 0,
  paused        INTEGER NOT NULL DEFAULT 0,
  hydrate_ms    INTEGER NOT NULL DEFAULT 0,
  duration_ms   INTEGER NOT NULL DEFAULT 0,
  timings       TEXT NOT NULL DEFAULT '{}',   -- JSON: per-layer ms
  error         TEXT
);

-- The decision trail of the last cycle only (replaced each cycle): which layer rejected each market and why.
CREATE TABLE decisions (
  ticker    TEXT PRIMARY KEY,
  cycle_id  INTEGER NOT NULL,
  layer     INTEGER NOT NULL,      -- 2 band, 3 validation, 4 risk/execution; 5 = passed all layers
  outcome   TEXT NOT NULL,         -- 'rejected' | 'ordered' | 'approval' | 'passed'
  reason    TEXT NOT NULL,
  side      TEXT,
  price_e4  INTEGER
) WITHOUT ROWID;

CREATE TABLE approvals (
  id              INTEGER PRIMARY KEY,
  ticker          TEXT NOT NULL,
  title           TEXT NOT NULL DEFAULT '',
  side            TEXT NOT NULL CHECK (side IN ('yes', 'no')),
  count_e2        INTEGER NOT NULL,
  price_e4        INTEGER NOT NULL,
  worst_case_e4   INTEGER NOT NULL,
  rule            TEXT NOT NULL,
  state           TEXT NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'approved', 'rejected', 'expired', 'refused')),
  created_at      INTEGER NOT NULL,
  expires_at      INTEGER NOT NULL,
  decided_at      INTEGER,
  decided_by      TEXT,
  outcome         TEXT,            -- what happened after the decision, for the chat
  message_ref     TEXT             -- JSON {chatId, messageId} of the approval message, to edit it
);
CREATE INDEX approvals_pending ON approvals (state, expires_at);

-- One row per order intent; written (with its client_order_id) before anything is sent.
CREATE TABLE orders (
  id                 INTEGER PRIMARY KEY,
  client_order_id    TEXT NOT NULL UNIQUE,
  cycle_id           INTEGER REFERENCES cycles (id),
  approval_id        INTEGER REFERENCES approvals (id),
  mode               TEXT NOT NULL,          -- sim | demo | dry-run | live
  day                TEXT NOT NULL,          -- trading day the order counts against
  ticker             TEXT NOT NULL,
  title              TEXT NOT NULL DEFAULT '',
  side               TEXT NOT NULL CHECK (side IN ('yes', 'no')),
  count_e2           INTEGER NOT NULL CHECK (count_e2 > 0),
  price_e4           INTEGER NOT NULL CHECK (price_e4 > 0 AND price_e4 < 10000),  -- price of the side bought
  worst_case_e4      INTEGER NOT NULL,       -- count x price + worst-case fee: what it can lose
  state              TEXT NOT NULL DEFAULT 'intent'
                     CHECK (state IN ('intent', 'sent', 'resting', 'executed', 'canceled', 'rejected', 'paper')),
  final              INTEGER NOT NULL DEFAULT 0,
  exchange_order_id  TEXT,
  filled_e2          INTEGER NOT NULL DEFAULT 0,
  fill_cost_e4       INTEGER NOT NULL DEFAULT 0,
  fees_e4            INTEGER NOT NULL DEFAULT 0,
  error              TEXT,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL
);
CREATE INDEX orders_day ON orders (day);
CREATE INDEX orders_open ON orders (final) WHERE final = 0;
CREATE INDEX orders_ticker ON orders (ticker);

CREATE TABLE fills (
  fill_id     TEXT PRIMARY KEY,
  order_id    INTEGER NOT NULL REFERENCES orders (id),
  ticker      TEXT NOT NULL,
  side        TEXT NOT NULL,
  count_e2    INTEGER NOT NULL,
  price_e4    INTEGER NOT NULL,
  fee_e4      INTEGER NOT NULL,
  created_at  INTEGER NOT NULL
);

-- Per-day risk ledger. Realized losses of positions opened on earlier days and settled on this day.
CREATE TABLE risk_days (
  day               TEXT PRIMARY KEY,
  realized_loss_e4  INTEGER NOT NULL DEFAULT 0,
  halted_at         INTEGER,
  halt_reason       TEXT
);

-- Settings changed at run time (cap, paused, band, ...); values are JSON.
CREATE TABLE settings (
  name        TEXT PRIMARY KEY,
  value       TEXT NOT NULL,
  updated_at  INTEGER NOT NULL,
  updated_by  TEXT NOT NULL
);

CREATE TABLE settings_audit (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  old_value  TEXT,
  new_value  TEXT NOT NULL,
  changed_by TEXT NOT NULL,
  changed_at INTEGER NOT NULL
);

-- Alerts are written here first and delivered from here, so an outage of a transport loses none.
CREATE TABLE outbox (
  id               INTEGER PRIMARY KEY,
  kind             TEXT NOT NULL,
  payload          TEXT NOT NULL,     -- JSON, formatted by each transport
  dedupe_key       TEXT,
  created_at       INTEGER NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  delivered_at     INTEGER,
  last_error       TEXT
);
CREATE INDEX outbox_pending ON outbox (delivered_at, id);
