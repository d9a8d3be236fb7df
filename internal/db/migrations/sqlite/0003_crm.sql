-- CRM: pipeline stages, products, territories, accounts and their pool,
-- contacts, leads, opportunities with stage history, activities.

ALTER TABLE levels ADD COLUMN account_limit INTEGER NOT NULL DEFAULT 0;
UPDATE levels SET account_limit = CASE code
    WHEN 'junior_rep' THEN 50 WHEN 'mid_rep' THEN 100 WHEN 'senior_rep' THEN 200 ELSE 0 END;

CREATE TABLE stages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT NOT NULL UNIQUE,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    probability INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    outcome     TEXT NOT NULL DEFAULT 'open',
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    version     INTEGER NOT NULL DEFAULT 1
);
INSERT INTO stages (code, name_zh, name_en, probability, position, outcome) VALUES
    ('prospecting', '初步接洽', 'Prospecting', 10, 10, 'open'),
    ('qualification', '需求确认', 'Qualification', 30, 20, 'open'),
    ('proposal', '方案报价', 'Proposal', 60, 30, 'open'),
    ('negotiation', '商务谈判', 'Negotiation', 80, 40, 'open'),
    ('won', '赢单', 'Won', 100, 50, 'won'),
    ('lost', '输单', 'Lost', 0, 60, 'lost');

CREATE TABLE pool_rules (
    org_unit_id  INTEGER PRIMARY KEY REFERENCES org_units(id),
    return_days  INTEGER NOT NULL,
    lockout_days INTEGER NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);
INSERT INTO pool_rules (org_unit_id, return_days, lockout_days) VALUES (1, 30, 15);

CREATE TABLE products (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    series      TEXT NOT NULL DEFAULT '',
    list_price  BIGINT NOT NULL,
    currency    TEXT NOT NULL DEFAULT 'CNY',
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE territories (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    province    TEXT NOT NULL DEFAULT '',
    city        TEXT NOT NULL DEFAULT '',
    industry    TEXT NOT NULL DEFAULT '',
    segment     TEXT NOT NULL DEFAULT '',
    org_unit_id INTEGER REFERENCES org_units(id),
    person_id   INTEGER REFERENCES people(id),
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE accounts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    name             TEXT NOT NULL,
    name_key         TEXT NOT NULL,
    credit_code      TEXT,
    industry         TEXT NOT NULL DEFAULT '',
    segment          TEXT NOT NULL DEFAULT '',
    province         TEXT NOT NULL DEFAULT '',
    city             TEXT NOT NULL DEFAULT '',
    address          TEXT NOT NULL DEFAULT '',
    size             TEXT NOT NULL DEFAULT '',
    source           TEXT NOT NULL DEFAULT '',
    phone            TEXT NOT NULL DEFAULT '',
    email            TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL DEFAULT 'prospect',
    tags             TEXT NOT NULL DEFAULT '',
    owner_id         INTEGER REFERENCES people(id),
    org_unit_id      INTEGER NOT NULL REFERENCES org_units(id),
    territory_id     INTEGER REFERENCES territories(id),
    external_id      TEXT,
    owned_since      TIMESTAMP,
    last_activity_at TIMESTAMP,
    merged_into_id   INTEGER REFERENCES accounts(id),
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX accounts_owner ON accounts(owner_id, updated_at);
CREATE INDEX accounts_unit ON accounts(org_unit_id, updated_at);
CREATE INDEX accounts_name_key ON accounts(name_key);
CREATE UNIQUE INDEX accounts_credit_code ON accounts(credit_code) WHERE merged_into_id IS NULL;
CREATE UNIQUE INDEX accounts_external_id ON accounts(external_id);
CREATE INDEX accounts_phone ON accounts(phone);
CREATE INDEX accounts_email ON accounts(email);

CREATE TABLE account_ownership (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    action      TEXT NOT NULL,
    from_owner  INTEGER REFERENCES people(id),
    to_owner    INTEGER REFERENCES people(id),
    reason      TEXT NOT NULL DEFAULT '',
    actor_id    INTEGER,
    at          TIMESTAMP NOT NULL
);
CREATE INDEX account_ownership_account ON account_ownership(account_id, at);
CREATE INDEX account_ownership_owner ON account_ownership(from_owner, account_id, at);

CREATE TABLE contacts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    name        TEXT NOT NULL,
    title       TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    mobile      TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    wechat      TEXT NOT NULL DEFAULT '',
    external_id TEXT,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX contacts_account ON contacts(account_id);
CREATE UNIQUE INDEX contacts_external_id ON contacts(external_id);

CREATE TABLE opportunities (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT NOT NULL,
    account_id     INTEGER REFERENCES accounts(id),
    owner_id       INTEGER NOT NULL REFERENCES people(id),
    org_unit_id    INTEGER NOT NULL REFERENCES org_units(id),
    amount         BIGINT NOT NULL,
    currency       TEXT NOT NULL DEFAULT 'CNY',
    stage_id       INTEGER NOT NULL REFERENCES stages(id),
    probability    INTEGER NOT NULL,
    expected_close DATE,
    closed_on      DATE,
    lost_reason    TEXT NOT NULL DEFAULT '',
    engaged_on     DATE,
    external_id    TEXT,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX opportunities_owner ON opportunities(owner_id, updated_at);
CREATE INDEX opportunities_unit ON opportunities(org_unit_id, updated_at);
CREATE INDEX opportunities_account ON opportunities(account_id);
CREATE INDEX opportunities_stage ON opportunities(stage_id);
CREATE UNIQUE INDEX opportunities_external_id ON opportunities(external_id);

CREATE TABLE opportunity_products (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    opportunity_id INTEGER NOT NULL REFERENCES opportunities(id),
    product_id     INTEGER NOT NULL REFERENCES products(id),
    quantity       INTEGER NOT NULL,
    unit_price     BIGINT NOT NULL
);
CREATE INDEX opportunity_products_opportunity ON opportunity_products(opportunity_id);

CREATE TABLE stage_history (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    opportunity_id INTEGER NOT NULL REFERENCES opportunities(id),
    from_stage_id  INTEGER REFERENCES stages(id),
    to_stage_id    INTEGER NOT NULL REFERENCES stages(id),
    changed_at     TIMESTAMP NOT NULL,
    changed_by     INTEGER
);
CREATE INDEX stage_history_opportunity ON stage_history(opportunity_id, changed_at);

CREATE TABLE leads (
    id                       INTEGER PRIMARY KEY AUTOINCREMENT,
    company                  TEXT NOT NULL,
    contact_name             TEXT NOT NULL DEFAULT '',
    phone                    TEXT NOT NULL DEFAULT '',
    email                    TEXT NOT NULL DEFAULT '',
    source                   TEXT NOT NULL DEFAULT '',
    status                   TEXT NOT NULL DEFAULT 'new',
    owner_id                 INTEGER NOT NULL REFERENCES people(id),
    org_unit_id              INTEGER NOT NULL REFERENCES org_units(id),
    converted_account_id     INTEGER REFERENCES accounts(id),
    converted_contact_id     INTEGER REFERENCES contacts(id),
    converted_opportunity_id INTEGER REFERENCES opportunities(id),
    converted_at             TIMESTAMP,
    version                  INTEGER NOT NULL DEFAULT 1,
    created_at               TIMESTAMP NOT NULL,
    updated_at               TIMESTAMP NOT NULL
);
CREATE INDEX leads_owner ON leads(owner_id, updated_at);
CREATE INDEX leads_unit ON leads(org_unit_id, updated_at);

CREATE TABLE activities (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    kind           TEXT NOT NULL,
    subject        TEXT NOT NULL,
    at             TIMESTAMP NOT NULL,
    owner_id       INTEGER NOT NULL REFERENCES people(id),
    org_unit_id    INTEGER NOT NULL REFERENCES org_units(id),
    account_id     INTEGER REFERENCES accounts(id),
    contact_id     INTEGER REFERENCES contacts(id),
    opportunity_id INTEGER REFERENCES opportunities(id),
    outcome        TEXT NOT NULL DEFAULT '',
    next_step      TEXT NOT NULL DEFAULT '',
    next_step_at   TIMESTAMP,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX activities_owner ON activities(owner_id, at);
CREATE INDEX activities_unit ON activities(org_unit_id, at);
CREATE INDEX activities_account ON activities(account_id, at);
CREATE INDEX activities_opportunity ON activities(opportunity_id, at);

-- A lease per background job, so that with several app instances each run happens once.
CREATE TABLE job_leases (
    name   TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until  TIMESTAMP NOT NULL
);
