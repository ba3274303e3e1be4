"""Allow ``python -m cardpress``."""

from cardpress.cli import main

main()
