"""Every table, imported in dependency order so the metadata is complete (Alembic, tests)."""

from safeguard.access.models import Agency, ApiKey, User
from safeguard.audit.models import AuditEntry
from safeguard.db import Base
from safeguard.duties.models import Duty, DutyTransition, Notification
from safeguard.events.models import Event
from safeguard.incidents.models import Incident, IncidentPerson
from safeguard.people.models import Address, Person, PersonIdentifier, PersonRecord, School
from safeguard.sharing.models import Share

__all__ = [
    "Address", "Agency", "ApiKey", "AuditEntry", "Base", "Duty", "DutyTransition", "Event",
    "Incident", "IncidentPerson", "Notification", "Person", "PersonIdentifier", "PersonRecord",
    "School", "Share", "User",
]
