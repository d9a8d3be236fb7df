-- Targets by product series or territory (PRODUCT.md 2.3): a plan may narrow
-- its metric to one product series or one territory; the plan's key gains
-- both. An order line keeps the series its product had when the line was
-- saved, so renaming a series does not restate the revenue already won.
ALTER TABLE opportunity_products ADD COLUMN series TEXT NOT NULL DEFAULT '';
UPDATE opportunity_products SET series = (SELECT p.series FROM products p WHERE p.id = opportunity_products.product_id);

-- SQLite cannot change a table's UNIQUE constraint: rebuild both target
-- tables (targets refers to target_plans) with the same rows and ids.
CREATE TABLE target_plans_v2 (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    metric        TEXT NOT NULL,
    fiscal_year   INTEGER NOT NULL,
    currency      TEXT NOT NULL,
    revision      INTEGER NOT NULL,
    rule          TEXT NOT NULL,
    state         TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    supersedes_id BIGINT REFERENCES target_plans_v2(id),
    created_by    BIGINT,
    created_at    TIMESTAMP NOT NULL,
    decided_by    BIGINT,
    decided_at    TIMESTAMP,
    version       INTEGER NOT NULL DEFAULT 1,
    dimension     TEXT NOT NULL DEFAULT '',
    dim_value     TEXT NOT NULL DEFAULT '',
    UNIQUE (metric, dimension, dim_value, fiscal_year, currency, revision)
);
CREATE TABLE targets_v2 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id     BIGINT NOT NULL REFERENCES target_plans_v2(id),
    parent_id   BIGINT REFERENCES targets_v2(id),
    org_unit_id BIGINT NOT NULL REFERENCES org_units(id),
    person_id   BIGINT REFERENCES people(id),
    amount      BIGINT NOT NULL,
    phasing     TEXT NOT NULL,
    months      TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    updated_by  BIGINT,
    updated_at  TIMESTAMP NOT NULL
);
INSERT INTO target_plans_v2 (id, metric, fiscal_year, currency, revision, rule, state, reason, supersedes_id,
    created_by, created_at, decided_by, decided_at, version)
    SELECT id, metric, fiscal_year, currency, revision, rule, state, reason, supersedes_id,
    created_by, created_at, decided_by, decided_at, version FROM target_plans ORDER BY id;
INSERT INTO targets_v2 SELECT id, plan_id, parent_id, org_unit_id, person_id, amount, phasing, months, version,
    updated_by, updated_at FROM targets ORDER BY id;
DROP TABLE targets;
DROP TABLE target_plans;
ALTER TABLE target_plans_v2 RENAME TO target_plans;
ALTER TABLE targets_v2 RENAME TO targets;
CREATE UNIQUE INDEX targets_node ON targets(plan_id, org_unit_id, COALESCE(person_id, 0));
CREATE INDEX targets_person ON targets(person_id);
