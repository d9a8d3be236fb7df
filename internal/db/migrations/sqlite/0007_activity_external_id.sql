-- Activities imported from another system keep its id, so a re-import does not log them twice.
ALTER TABLE activities ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX activities_external_id ON activities(external_id);
