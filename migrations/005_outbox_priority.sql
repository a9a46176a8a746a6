-- Alerts that must not wait jump the queue (0: a halt; 1: errors and approval requests; 2: everything else); a cycle's order alerts are held
-- until the cycle ends and then folded into one digest (held rows survive a crash and are folded at the next start).
ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 2;
ALTER TABLE outbox ADD COLUMN hold_cycle INTEGER;
DROP INDEX outbox_pending;
CREATE INDEX outbox_pending ON outbox (delivered_at, priority, id);
