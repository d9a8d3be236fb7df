-- activities_owner_at repeated activities_owner (owner_id, at) from 0003: every
-- activity written updated the same index twice.
DROP INDEX activities_owner_at;
