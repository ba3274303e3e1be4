"""OpenLineage run events: their files (event_files), facets (facets) and jobs (read)."""
