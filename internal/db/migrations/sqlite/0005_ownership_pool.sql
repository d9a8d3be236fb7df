-- The pool an account was claimed from or returned to, so that the loser
-- of a claim race may be told "already claimed" only for a pool they could
-- see, and the history can say which pool.
ALTER TABLE account_ownership ADD COLUMN pool_unit_id INTEGER REFERENCES org_units(id);
