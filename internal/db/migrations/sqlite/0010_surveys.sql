-- Customer satisfaction surveys (PRODUCT.md 2.4). A survey asks the
-- customer of an account or of a won deal for a score from 1 to 5 and a
-- comment, through a link that works once and expires; only the SHA-256 of
-- the link's random token is stored. The answer counts for the rep who
-- owned the record when the survey was sent (person_id, org_unit_id): the
-- KPI library reads CSAT as the average score of the surveys answered in a
-- period, by person or by the subtree of a unit.
CREATE TABLE surveys (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id     INTEGER NOT NULL REFERENCES accounts(id),
    opportunity_id INTEGER REFERENCES opportunities(id),
    person_id      INTEGER NOT NULL REFERENCES people(id),
    org_unit_id    INTEGER NOT NULL REFERENCES org_units(id),
    token_hash     TEXT NOT NULL UNIQUE,
    lang           TEXT NOT NULL CHECK (lang IN ('zh-CN', 'en')),
    sent_by        INTEGER REFERENCES people(id),
    sent_at        TIMESTAMP NOT NULL,
    expires_at     TIMESTAMP NOT NULL,
    answered_at    TIMESTAMP,
    score          INTEGER CHECK (score BETWEEN 1 AND 5),
    comment        TEXT NOT NULL DEFAULT '',
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX surveys_person ON surveys(person_id, answered_at);
CREATE INDEX surveys_unit ON surveys(org_unit_id, answered_at);
CREATE INDEX surveys_sent ON surveys(sent_at);
CREATE INDEX surveys_answered ON surveys(answered_at);
CREATE INDEX surveys_account ON surveys(account_id, sent_at);
CREATE INDEX surveys_opportunity ON surveys(opportunity_id, sent_at);
