"""Render: the fairness modules."""
