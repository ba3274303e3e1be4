"""Write: the only code besides ``readers`` that touches files."""
