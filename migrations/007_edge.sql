-- The price of a trade, honestly (issue: fee-aware edge, calibration, a maker option). Each order keeps the
-- after-fee break-even win rate it was placed at, the edge the calibration gave it (its lower 95% bound minus the
-- break-even; NULL when the price had no calibration), and how it was placed; each fill, whether we were the taker.
ALTER TABLE orders ADD COLUMN break_even_e4 INTEGER;
ALTER TABLE orders ADD COLUMN edge_e4 INTEGER;
ALTER TABLE orders ADD COLUMN style TEXT NOT NULL DEFAULT 'taker' CHECK (style IN ('taker', 'maker'));
ALTER TABLE fills ADD COLUMN is_taker INTEGER;
