"""``python -m phunt.demo``: the demo's entry point."""

from phunt.demo import main

main()
