"""Readers: the predictions modules."""
