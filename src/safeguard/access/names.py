"""Names as people say them: an agency's name for its id (`school-124287` is the school's
name) and a person's name and agency for the actor a record keeps (`user:mash.officer` is
"Sam Officer, Northamptonshire Police"; `api_key:1:Niche RMS` is the key's name and agency).

Records keep ids and actors, which never change meaning; pages and API answers show these
names (web/templating.py's `agency` and `actor` filters, and the API schemas that add them).
One `Names` serves one request: it looks each id up once.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.models import Agency, ApiKey, User

__all__ = ["SYSTEM_WORDS", "Names"]

#: What the service itself did (the worker, an import from the command line).
SYSTEM_WORDS = "safeguard (automatically)"


class Names:
    def __init__(self, session: Session) -> None:
        self._session = session
        self._agencies: dict[str, str] = {}
        self._actors: dict[str, str] = {}

    def agency(self, agency_id: str | None) -> str:
        """The agency's name; an id no agency has is shown as it is."""
        if not agency_id:
            return ""
        if agency_id not in self._agencies:
            name = self._session.scalar(select(Agency.name).where(Agency.id == agency_id))
            self._agencies[agency_id] = name or agency_id
        return self._agencies[agency_id]

    def actor(self, actor: str | None) -> str:
        """"Full Name, Agency" for a user, "Key name, Agency" for an API key, the service's
        own words for the system; anything else (an older record's free text) as it is."""
        if not actor:
            return ""
        if actor not in self._actors:
            self._actors[actor] = self._lookup(actor)
        return self._actors[actor]

    def _lookup(self, actor: str) -> str:
        kind, _, rest = actor.partition(":")
        if kind == "system":
            return SYSTEM_WORDS
        if kind == "user":
            row = self._session.execute(
                select(User.display_name, User.agency_id).where(User.username == rest)).first()
        elif kind == "api_key" and rest.partition(":")[0].isdigit():
            row = self._session.execute(select(ApiKey.name, ApiKey.agency_id).where(
                ApiKey.id == int(rest.partition(":")[0]))).first()
        else:
            row = None
        if row is None:
            return actor
        return f"{row[0]}, {self.agency(row[1])}"
