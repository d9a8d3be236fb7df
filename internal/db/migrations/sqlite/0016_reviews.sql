-- Performance reviews and feedback (PRODUCT.md 2.5). A review template says
-- which competencies are rated, the labels of the 1–5 rating scale and how
-- many days each step of a cycle takes. A cycle applies a template to the
-- people of an org unit's subtree for one fiscal period; it holds one review
-- per person. The scorecard of the period is frozen into the review when the
-- cycle opens (scorecard, JSON), so later CRM changes do not move it.
-- Competency ratings are JSON objects {code: 1–5}; dates of deadlines and
-- check-ins are 'YYYY-MM-DD' in the company's zone.
CREATE TABLE review_templates (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('monthly', 'quarterly', 'annual')),
    competencies     TEXT NOT NULL,
    scale            TEXT NOT NULL,
    self_days        INTEGER NOT NULL,
    manager_days     INTEGER NOT NULL,
    calibration_days INTEGER NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    updated_by       INTEGER REFERENCES people(id),
    updated_at       TIMESTAMP NOT NULL
);

CREATE TABLE review_cycles (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    template_id     INTEGER NOT NULL REFERENCES review_templates(id),
    name            TEXT NOT NULL,
    period          TEXT NOT NULL,
    org_unit_id     INTEGER NOT NULL REFERENCES org_units(id),
    roles           TEXT NOT NULL DEFAULT '',
    competencies    TEXT NOT NULL,
    level_id        INTEGER REFERENCES levels(id),
    state           TEXT NOT NULL CHECK (state IN ('draft', 'open')),
    self_due        TEXT NOT NULL DEFAULT '',
    manager_due     TEXT NOT NULL DEFAULT '',
    calibration_due TEXT NOT NULL DEFAULT '',
    created_by      INTEGER REFERENCES people(id),
    created_at      TIMESTAMP NOT NULL,
    opened_by       INTEGER REFERENCES people(id),
    opened_at       TIMESTAMP,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX review_cycles_unit ON review_cycles(org_unit_id);

CREATE TABLE reviews (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    cycle_id             INTEGER NOT NULL REFERENCES review_cycles(id),
    person_id            INTEGER NOT NULL REFERENCES people(id),
    org_unit_id          INTEGER NOT NULL REFERENCES org_units(id),
    reviewer_id          INTEGER NOT NULL REFERENCES people(id),
    state                TEXT NOT NULL CHECK (state IN ('draft', 'self_review', 'manager_review', 'calibration', 'released', 'acknowledged')),
    scorecard            TEXT NOT NULL DEFAULT '',
    self_text            TEXT NOT NULL DEFAULT '',
    self_ratings         TEXT NOT NULL DEFAULT '{}',
    manager_text         TEXT NOT NULL DEFAULT '',
    manager_ratings      TEXT NOT NULL DEFAULT '{}',
    manager_comments     TEXT NOT NULL DEFAULT '',
    proposed_rating      INTEGER CHECK (proposed_rating BETWEEN 1 AND 5),
    potential            INTEGER CHECK (potential BETWEEN 1 AND 3),
    final_rating         INTEGER CHECK (final_rating BETWEEN 1 AND 5),
    released_at          TIMESTAMP,
    acknowledged_at      TIMESTAMP,
    response             TEXT NOT NULL DEFAULT '',
    version              INTEGER NOT NULL DEFAULT 1,
    updated_at           TIMESTAMP NOT NULL,
    UNIQUE (cycle_id, person_id)
);
CREATE INDEX reviews_person ON reviews(person_id, released_at);
CREATE INDEX reviews_reviewer ON reviews(reviewer_id, state);
CREATE INDEX reviews_unit ON reviews(org_unit_id);

-- Every calibration change of a review's rating, with its reason.
CREATE TABLE review_calibrations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    review_id   INTEGER NOT NULL REFERENCES reviews(id),
    from_rating INTEGER NOT NULL,
    to_rating   INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    changed_by  INTEGER REFERENCES people(id),
    changed_at  TIMESTAMP NOT NULL
);
CREATE INDEX review_calibrations_review ON review_calibrations(review_id);

-- Continuous feedback about a person: praise or development; private (the
-- person, their managers, the author) or shared (also the person's unit).
CREATE TABLE feedback_notes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    author_id   INTEGER REFERENCES people(id),
    kind        TEXT NOT NULL CHECK (kind IN ('praise', 'development')),
    visibility  TEXT NOT NULL CHECK (visibility IN ('private', 'shared')),
    body        TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX feedback_notes_person ON feedback_notes(person_id, created_at);

-- Improvement plans (PIP): goals and check-in dates as JSON lists of text.
CREATE TABLE improvement_plans (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id  INTEGER NOT NULL REFERENCES people(id),
    review_id  INTEGER REFERENCES reviews(id),
    goals      TEXT NOT NULL,
    checkins   TEXT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    outcome    TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('', 'successful', 'extended', 'unsuccessful')),
    opened_by  INTEGER REFERENCES people(id),
    opened_at  TIMESTAMP NOT NULL,
    closed_by  INTEGER REFERENCES people(id),
    closed_at  TIMESTAMP,
    version    INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX improvement_plans_person ON improvement_plans(person_id, state);

CREATE TABLE improvement_plan_notes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id    INTEGER NOT NULL REFERENCES improvement_plans(id),
    author_id  INTEGER REFERENCES people(id),
    body       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX improvement_plan_notes_plan ON improvement_plan_notes(plan_id);

INSERT INTO review_templates (name, kind, competencies, scale, self_days, manager_days, calibration_days, updated_at) VALUES
    ('季度绩效评估 Quarterly review', 'quarterly',
     '["product_knowledge","sales_skills","customer_service","market_analysis","leadership"]',
     '[{"zh":"远低于期望","en":"Far below expectations"},{"zh":"低于期望","en":"Below expectations"},{"zh":"符合期望","en":"Meets expectations"},{"zh":"超出期望","en":"Exceeds expectations"},{"zh":"卓越","en":"Outstanding"}]',
     7, 7, 7, CURRENT_TIMESTAMP);
