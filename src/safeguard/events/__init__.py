"""Events: the store and the import format.

The format (schemas.py) is loaded first, whichever events module is asked for: each area's
events (forensics.py) are built from its helpers and joined into its union at its foot, so
loading an area's module on its own would otherwise find the format half-built.
"""

from safeguard.events import schemas as schemas
