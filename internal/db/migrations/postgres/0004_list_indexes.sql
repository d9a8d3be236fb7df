-- Indexes that let a page of 50 be read in sort order for a manager whose
-- scope spans many units, instead of sorting every row in scope.
CREATE INDEX accounts_updated ON accounts(updated_at);
CREATE INDEX accounts_name ON accounts(name);
CREATE INDEX opportunities_updated ON opportunities(updated_at);
CREATE INDEX opportunities_amount ON opportunities(amount);
CREATE INDEX opportunities_expected_close ON opportunities(expected_close);
CREATE INDEX opportunities_closed_on ON opportunities(closed_on);
CREATE INDEX accounts_last_activity ON accounts(last_activity_at);
