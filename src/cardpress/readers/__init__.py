"""Readers: the only code besides ``write`` that touches files."""
