"""Render: the drift modules."""
