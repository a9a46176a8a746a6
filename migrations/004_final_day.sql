-- Cap hole 1 (midnight): money counts on every trading day from the one an order was placed on to the one it
-- became final on (its fills may arrive after midnight). Rows from before this migration end on their own day.
ALTER TABLE orders ADD COLUMN final_day TEXT;
UPDATE orders SET final_day = day WHERE final = 1;
