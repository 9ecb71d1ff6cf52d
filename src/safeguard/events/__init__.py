"""Events as they arrive. The schemas module is loaded first: the areas' event modules build
on its helpers and it gathers their events into one union."""

from safeguard.events import schemas as schemas
