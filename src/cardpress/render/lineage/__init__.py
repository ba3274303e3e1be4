"""Render: the lineage modules."""
