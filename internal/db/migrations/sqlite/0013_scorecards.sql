-- KPI templates (PRODUCT.md 2.4): per role, and optionally per echelon
-- level, which KPIs a person is scored on, with weights adding up to 100,
-- the source of each target and the scoring curve (lines, as JSON).
CREATE TABLE kpi_templates (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,
    level_id   BIGINT REFERENCES levels(id),
    lines      TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    updated_by BIGINT,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX kpi_templates_scope ON kpi_templates(role, COALESCE(level_id, 0));

-- KPIs a manager enters by hand, with a comment, per person and period.
CREATE TABLE manual_kpis (
    code    TEXT PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL
);
INSERT INTO manual_kpis (code, name_zh, name_en) VALUES
    ('m_teamwork', '团队协作', 'Teamwork'),
    ('m_customer_feedback', '客户反馈', 'Customer feedback');

CREATE TABLE manual_kpi_values (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    code       TEXT NOT NULL REFERENCES manual_kpis(code),
    person_id  BIGINT NOT NULL REFERENCES people(id),
    period     TEXT NOT NULL,
    score      INTEGER NOT NULL,
    comment    TEXT NOT NULL,
    entered_by BIGINT,
    entered_at TIMESTAMP NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    UNIQUE (code, person_id, period)
);

-- A leaderboard a manager publishes to the people of their unit's subtree.
CREATE TABLE leaderboards (
    org_unit_id  BIGINT NOT NULL REFERENCES org_units(id),
    kpi          TEXT NOT NULL,
    published_by BIGINT,
    published_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_unit_id, kpi)
);
