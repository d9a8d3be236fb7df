-- The roll-ups read runs of totals in key order (a unit's months): keep the
-- rows in the order of their key (WITHOUT ROWID), so a run is one range
-- read instead of an index lookup per row.
CREATE TABLE sales_totals_new (
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
) WITHOUT ROWID;
INSERT INTO sales_totals_new SELECT org_unit_id, person_id, month, measure, dim, currency, n, amount, extra FROM sales_totals;
DROP TABLE sales_totals;
ALTER TABLE sales_totals_new RENAME TO sales_totals;
CREATE INDEX sales_totals_person ON sales_totals(person_id, month);
