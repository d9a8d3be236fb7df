-- Targets (PRODUCT.md 2.3): a plan is the rule — metric, fiscal year,
-- currency and how children must add up — and its targets are the values,
-- one per org unit and one per person below it, each phased over the
-- twelve months of the fiscal year. A locked plan is changed only by a new
-- revision with a reason; both are kept.
CREATE TABLE target_plans (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    metric        TEXT NOT NULL,
    fiscal_year   INTEGER NOT NULL,
    currency      TEXT NOT NULL,
    revision      INTEGER NOT NULL,
    rule          TEXT NOT NULL,
    state         TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    supersedes_id BIGINT REFERENCES target_plans(id),
    created_by    BIGINT,
    created_at    TIMESTAMP NOT NULL,
    decided_by    BIGINT,
    decided_at    TIMESTAMP,
    version       INTEGER NOT NULL DEFAULT 1,
    UNIQUE (metric, fiscal_year, currency, revision)
);

CREATE TABLE targets (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id     BIGINT NOT NULL REFERENCES target_plans(id),
    parent_id   BIGINT REFERENCES targets(id),
    org_unit_id BIGINT NOT NULL REFERENCES org_units(id),
    person_id   BIGINT REFERENCES people(id),
    amount      BIGINT NOT NULL,
    phasing     TEXT NOT NULL,
    months      TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    updated_by  BIGINT,
    updated_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX targets_node ON targets(plan_id, org_unit_id, COALESCE(person_id, 0));
CREATE INDEX targets_person ON targets(person_id);
