"""phunt: triage seized devices against hash lists, map messaging groups, keep cases auditable.

The public surface is deliberately small: the CLI (``phunt.cli``) and the service
functions in each stage package. Modules whose names start with an underscore are private.
"""

from phunt.jit_cache import use_user_cache

__version__ = "0.1.0"

# Before any phunt module imports numba: its compiled code goes to the user's cache.
use_user_cache()
