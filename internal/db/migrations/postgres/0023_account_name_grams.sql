-- Every account's name key as its distinct two-character pieces, so a
-- search finds the accounts holding all of a query's pieces instead of
-- reading every name (internal/crm/grams.go). Filled for the accounts
-- there are; the CRM keeps it as accounts are created, imported and renamed.
-- It is derived data and written for every imported account, so it has
-- one B-tree only: no foreign key (accounts are never deleted, only
-- merged) and no index by account (a rename deletes the old pieces by key).
CREATE TABLE account_name_grams (
    gram       TEXT NOT NULL,
    account_id BIGINT NOT NULL,
    PRIMARY KEY (gram, account_id)
);
INSERT INTO account_name_grams (gram, account_id)
SELECT DISTINCT substr(a.name_key, i, 2), a.id FROM accounts a, generate_series(1, length(a.name_key) - 1) AS i;
