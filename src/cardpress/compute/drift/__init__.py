"""Compute: the drift modules."""
