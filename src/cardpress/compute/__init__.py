"""Compute: pure functions from typed records to the facts each page shows."""
