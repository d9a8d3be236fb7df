-- Promotion readiness as last computed for each person (PRODUCT.md 2.6):
-- the succession benches read it instead of recomputing everyone's
-- readiness on every page. Refreshed by a periodic job and on request;
-- computed_at says when; the evidence is GET /readiness/{person}, computed afresh.
CREATE TABLE readiness_snapshots (
    person_id     INTEGER PRIMARY KEY REFERENCES people(id),
    org_unit_id   INTEGER REFERENCES org_units(id),
    level_id      INTEGER REFERENCES levels(id),
    next_level_id INTEGER REFERENCES levels(id),
    bucket        TEXT NOT NULL,
    score         DOUBLE PRECISION NOT NULL,
    met           INTEGER NOT NULL,
    applicable    INTEGER NOT NULL,
    computed_at   TIMESTAMP NOT NULL
);
CREATE INDEX readiness_snapshots_next ON readiness_snapshots(next_level_id);
