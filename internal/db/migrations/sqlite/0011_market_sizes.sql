-- Market sizes (PRODUCT.md 2.4, 2.10): the size of a market — a territory,
-- or a customer segment across the company — in a fiscal period, entered or
-- imported, against which the won revenue gives the market share. period is
-- the address ("2026", "2026-Q2", "2026-05"); first_month and last_month
-- (yyyymm) are its months, for range queries. Exactly one of territory_id
-- and segment is set ('' when by territory).
CREATE TABLE market_sizes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    period       TEXT NOT NULL,
    first_month  INTEGER NOT NULL,
    last_month   INTEGER NOT NULL,
    territory_id INTEGER REFERENCES territories(id),
    segment      TEXT NOT NULL DEFAULT '',
    amount       BIGINT NOT NULL CHECK (amount > 0),
    currency     TEXT NOT NULL,
    source       TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    version      INTEGER NOT NULL DEFAULT 1,
    created_by   INTEGER REFERENCES people(id),
    created_at   TIMESTAMP NOT NULL,
    updated_by   INTEGER REFERENCES people(id),
    updated_at   TIMESTAMP NOT NULL,
    CHECK ((territory_id IS NULL) <> (segment = ''))
);
CREATE UNIQUE INDEX market_sizes_key ON market_sizes(period, COALESCE(territory_id, 0), segment, currency);
CREATE INDEX market_sizes_months ON market_sizes(first_month, last_month);
CREATE INDEX market_sizes_territory ON market_sizes(territory_id);
