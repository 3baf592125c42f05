"""Allow ``python -m phunt``."""

from phunt.cli.main import main

main()
