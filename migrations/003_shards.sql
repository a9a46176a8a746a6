-- Exchange shards (Kalshi, August 2026): every order, fill and settlement lives on one matching engine,
-- and money moves between shards by journaled transfers.

ALTER TABLE orders ADD COLUMN exchange_index INTEGER NOT NULL DEFAULT 0;
-- Set when the exchange reported something impossible about this order (a cost above count x limit, a
-- negative fee, a fill count above the order's): the report is kept here and the worst case stays booked.
ALTER TABLE orders ADD COLUMN report_flag TEXT;

ALTER TABLE fills ADD COLUMN exchange_index INTEGER;
ALTER TABLE settlements ADD COLUMN exchange_index INTEGER;

-- Transfers between shards. Kalshi's transfer POST is not idempotent: a row is written (state 'sent') before the
-- request leaves, so a lost answer or a crash is looked up in the exchange's transfer history, never re-sent.
CREATE TABLE transfers (
  id           INTEGER PRIMARY KEY,
  from_shard   INTEGER NOT NULL,
  to_shard     INTEGER NOT NULL,
  amount_e4    INTEGER NOT NULL CHECK (amount_e4 > 0),   -- centicents, as on the wire
  state        TEXT NOT NULL
               CHECK (state IN ('sent', 'pending', 'complete', 'refused', 'failed')),
  transfer_id  TEXT UNIQUE,                               -- the exchange's id, once known
  reason       TEXT,                                      -- why it was needed, or why it failed
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);
CREATE INDEX transfers_open ON transfers (state) WHERE state IN ('sent', 'pending');
