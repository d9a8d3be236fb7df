-- Totals are updated in place by every deal that moves them: leave room in
-- each page so the update stays on it (a HOT update, no index change).
ALTER TABLE sales_totals SET (fillfactor = 70);
