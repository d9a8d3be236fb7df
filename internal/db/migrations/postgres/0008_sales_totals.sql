-- Company settings kept as key and value (the fiscal year's start month).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO settings (key, value) VALUES ('fiscal_start_month', '1');

-- Totals of the sales records per org unit, person and month (yyyymm in the
-- company's zone), kept in the same transaction as the change that moves
-- them, so that a scorecard or a dashboard rolled up the hierarchy reads a
-- few thousand rows instead of a million opportunities.
--   won           deals won in the month (closed_on): n, amount, extra = Σ days from engagement to win
--   lost          deals lost in the month (closed_on): n, amount
--   open          open deals by expected close month (0 = none), dim = stage code: n, amount, extra = Σ weighted amount
--   new_customer  accounts whose first won deal was won in the month: n
--   activity      activities logged in the month (at), dim = kind: n
CREATE TABLE sales_totals (
    org_unit_id BIGINT NOT NULL,
    person_id   BIGINT NOT NULL,
    month       INTEGER NOT NULL,
    measure     TEXT NOT NULL,
    dim         TEXT NOT NULL,
    currency    TEXT NOT NULL,
    n           BIGINT NOT NULL,
    amount      BIGINT NOT NULL,
    extra       BIGINT NOT NULL,
    PRIMARY KEY (org_unit_id, person_id, month, measure, dim, currency)
);
CREATE INDEX sales_totals_person ON sales_totals(person_id, month);

-- The drill-down from a KPI to the deals behind it.
CREATE INDEX opportunities_owner_closed ON opportunities(owner_id, closed_on);
CREATE INDEX opportunities_unit_closed ON opportunities(org_unit_id, closed_on);
CREATE INDEX activities_owner_at ON activities(owner_id, at);
