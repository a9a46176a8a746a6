-- Settlements seen on the exchange, so a realized loss is booked into the day's ledger exactly once.
CREATE TABLE settlements (
  ticker      TEXT NOT NULL,
  settled_at  INTEGER NOT NULL,
  day         TEXT NOT NULL,
  revenue_e4  INTEGER NOT NULL,
  cost_e4     INTEGER NOT NULL,     -- what this bot spent on the position on earlier days
  loss_e4     INTEGER NOT NULL,     -- booked into risk_days.realized_loss_e4 for `day`
  PRIMARY KEY (ticker, settled_at)
);
