"""Readers: the lineage modules."""
