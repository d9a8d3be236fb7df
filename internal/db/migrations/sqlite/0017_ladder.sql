-- The echelon ladder (PRODUCT.md 2.6). Each level's entry criteria — the
-- minimum tenure in the level below, the rolling scorecard result over the
-- last complete fiscal quarters, the certifications and the competency
-- ratings it asks for — and the per-level rules later modules read (the
-- account limit itself stays on levels, where the CRM pool reads it).
CREATE TABLE level_criteria (
    level_id          INTEGER PRIMARY KEY REFERENCES levels(id),
    min_tenure_months INTEGER NOT NULL DEFAULT 0,
    score_quarters    INTEGER NOT NULL DEFAULT 0,
    score_average     INTEGER NOT NULL DEFAULT 0,
    score_floor       INTEGER NOT NULL DEFAULT 0,
    certifications    TEXT NOT NULL DEFAULT '[]',
    competencies      TEXT NOT NULL DEFAULT '{}',
    kpi_template_id   BIGINT REFERENCES kpi_templates(id),
    commission_plan   TEXT NOT NULL DEFAULT '',
    learning_path     TEXT NOT NULL DEFAULT '',
    target_band_min   REAL NOT NULL DEFAULT 0,
    target_band_max   REAL NOT NULL DEFAULT 0,
    version           INTEGER NOT NULL DEFAULT 1,
    updated_by        BIGINT,
    updated_at        TIMESTAMP NOT NULL
);

-- The certifications a level may ask for; the training module fills the records later.
CREATE TABLE certification_types (
    code    TEXT PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE certifications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id   BIGINT NOT NULL REFERENCES people(id),
    code        TEXT NOT NULL REFERENCES certification_types(code),
    issued_on   DATE NOT NULL,
    expires_on  DATE,
    note        TEXT NOT NULL DEFAULT '',
    recorded_by BIGINT,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX certifications_person ON certifications(person_id, code);

-- A proposal to change a person's level (promotion, demotion) or to keep
-- it (hold), with the readiness evidence of the moment as JSON, decided by
-- the nominator's own manager.
CREATE TABLE nominations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id       BIGINT NOT NULL REFERENCES people(id),
    kind            TEXT NOT NULL,
    from_level_id   BIGINT NOT NULL REFERENCES levels(id),
    to_level_id     BIGINT NOT NULL REFERENCES levels(id),
    effective_on    DATE,
    reason          TEXT NOT NULL,
    evidence        TEXT NOT NULL,
    state           TEXT NOT NULL,
    nominated_by    BIGINT NOT NULL REFERENCES people(id),
    approver_id     BIGINT REFERENCES people(id),
    decided_by      BIGINT,
    decided_at      TIMESTAMP,
    decision_reason TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX nominations_person ON nominations(person_id, created_at);
CREATE INDEX nominations_state ON nominations(state, created_at);

-- Every level change, applied on its effective date (applied_at is empty
-- while it lies in the future).
CREATE TABLE level_changes (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id     BIGINT NOT NULL REFERENCES people(id),
    from_level_id BIGINT REFERENCES levels(id),
    to_level_id   BIGINT NOT NULL REFERENCES levels(id),
    effective_on  DATE NOT NULL,
    reason        TEXT NOT NULL,
    changed_by    BIGINT,
    nomination_id BIGINT REFERENCES nominations(id),
    applied_at    TIMESTAMP,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX level_changes_person ON level_changes(person_id, effective_on);
CREATE INDEX level_changes_pending ON level_changes(applied_at, effective_on);

INSERT INTO certification_types (code, name_zh, name_en) VALUES
    ('product_basics', '产品知识认证', 'Product knowledge certificate'),
    ('consultative_selling', '顾问式销售认证', 'Consultative selling certificate'),
    ('key_account', '大客户管理认证', 'Key account management certificate'),
    ('sales_management', '销售管理认证', 'Sales management certificate');

INSERT INTO level_criteria (level_id, min_tenure_months, score_quarters, score_average, score_floor, certifications, competencies,
        target_band_min, target_band_max, updated_at)
    SELECT id,
        CASE code WHEN 'mid_rep' THEN 12 WHEN 'senior_rep' THEN 18 WHEN 'regional_manager' THEN 24 WHEN 'senior_manager' THEN 24 ELSE 0 END,
        CASE code WHEN 'mid_rep' THEN 2 WHEN 'senior_rep' THEN 2 WHEN 'regional_manager' THEN 4 WHEN 'senior_manager' THEN 4 ELSE 0 END,
        CASE code WHEN 'mid_rep' THEN 80 WHEN 'senior_rep' THEN 90 WHEN 'regional_manager' THEN 90 WHEN 'senior_manager' THEN 95 ELSE 0 END,
        CASE code WHEN 'mid_rep' THEN 60 WHEN 'senior_rep' THEN 70 WHEN 'regional_manager' THEN 75 WHEN 'senior_manager' THEN 80 ELSE 0 END,
        CASE code WHEN 'mid_rep' THEN '["product_basics"]'
            WHEN 'senior_rep' THEN '["product_basics","consultative_selling"]'
            WHEN 'regional_manager' THEN '["consultative_selling","sales_management"]'
            WHEN 'senior_manager' THEN '["sales_management"]' ELSE '[]' END,
        CASE code WHEN 'mid_rep' THEN '{"product_knowledge":3,"sales_skills":3}'
            WHEN 'senior_rep' THEN '{"customer_service":3,"market_analysis":3,"product_knowledge":4,"sales_skills":4}'
            WHEN 'regional_manager' THEN '{"leadership":4,"market_analysis":4,"sales_skills":4}'
            WHEN 'senior_manager' THEN '{"leadership":5,"market_analysis":4}' ELSE '{}' END,
        CASE code WHEN 'junior_rep' THEN 5 WHEN 'mid_rep' THEN 10 WHEN 'senior_rep' THEN 15 ELSE 0 END,
        CASE code WHEN 'junior_rep' THEN 15 WHEN 'mid_rep' THEN 25 WHEN 'senior_rep' THEN 35 ELSE 0 END,
        CURRENT_TIMESTAMP
    FROM levels;
