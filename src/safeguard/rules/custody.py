"""Pure rules of the custody area: facts in, duty drafts out (declared kinds live here too)."""

from __future__ import annotations
