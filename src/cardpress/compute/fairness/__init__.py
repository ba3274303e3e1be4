"""Compute: the fairness modules."""
