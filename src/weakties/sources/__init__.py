"""Source formats: each module parses one format into typed records."""
