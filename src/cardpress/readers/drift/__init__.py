"""Readers: the drift modules."""
