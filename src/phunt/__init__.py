"""phunt: triage seized devices against hash lists, map messaging groups, keep cases auditable.

The public surface is deliberately small: the CLI (``phunt.cli``) and the service
functions in each stage package. Modules whose names start with an underscore are private.
"""

__version__ = "0.1.0"
