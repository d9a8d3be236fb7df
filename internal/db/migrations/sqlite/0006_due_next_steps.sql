-- "My day" asks for next steps falling due.
CREATE INDEX activities_next_step ON activities(next_step_at);
