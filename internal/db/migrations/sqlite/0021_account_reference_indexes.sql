-- The columns that point at an account without an index of their own: a
-- check that an account is no longer referenced (deleting one, e.g. a
-- benchmark removing what it imported) read the whole table for each.
CREATE INDEX accounts_merged_into ON accounts(merged_into_id);
CREATE INDEX leads_converted_account ON leads(converted_account_id);
