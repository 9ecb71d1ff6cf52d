"""Events: the import format (schemas) and the append-only store.

The areas' event modules (custody, forensics) reuse the helpers of ``schemas`` and are joined
into its union there, so ``schemas`` is loaded first whichever of them is imported first.
"""

from safeguard.events import schemas as schemas
