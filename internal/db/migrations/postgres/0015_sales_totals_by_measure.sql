-- A plan's board reads one measure (won revenue, say) of every person over
-- some months: find those rows by measure and month, not by scanning every
-- person's totals.
CREATE INDEX sales_totals_measure ON sales_totals(measure, month);
