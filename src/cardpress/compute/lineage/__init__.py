"""Compute: the lineage modules."""
