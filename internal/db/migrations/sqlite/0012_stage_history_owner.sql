-- A stage change is counted for the deal's owner and org unit at the time
-- it happened (the funnel of a period), so the row keeps them.
ALTER TABLE stage_history ADD COLUMN owner_id BIGINT;
ALTER TABLE stage_history ADD COLUMN org_unit_id BIGINT;
UPDATE stage_history SET
    owner_id = (SELECT o.owner_id FROM opportunities o WHERE o.id = stage_history.opportunity_id),
    org_unit_id = (SELECT o.org_unit_id FROM opportunities o WHERE o.id = stage_history.opportunity_id);
