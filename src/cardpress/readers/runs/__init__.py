"""Readers: the runs modules."""
