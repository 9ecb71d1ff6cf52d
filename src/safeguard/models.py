"""Every table, imported in dependency order so the metadata is complete (Alembic, tests)."""

from safeguard.access.models import (
    Agency,
    ApiKey,
    SignInAttempt,
    User,
    UserSession,
    UserTwoFactor,
)
from safeguard.audit.models import AuditEntry, AuditSeal
from safeguard.children.models import BreakGlass
from safeguard.concerns.models import Concern
from safeguard.db import Base
from safeguard.duties.models import Duty, DutyTransition, Notification
from safeguard.events.models import Event
from safeguard.incidents.models import Incident, IncidentPerson
from safeguard.inspections.models import Action, Finding, Inspection, Revisit
from safeguard.measures.models import MeasureCursor, MeasureFact
from safeguard.people.models import (
    Address,
    MatchReview,
    Person,
    PersonBlockingKey,
    PersonIdentifier,
    PersonLink,
    PersonMerge,
    PersonMergeMove,
    PersonRecord,
    School,
)
from safeguard.sharing.models import Delivery, Share, WebhookEndpoint

__all__ = [
    "Action", "Finding", "Inspection", "MeasureCursor", "MeasureFact", "Revisit",
    "Address", "Agency", "ApiKey", "AuditEntry", "AuditSeal", "Base", "BreakGlass", "Concern",
    "Delivery", "Duty", "DutyTransition", "Event",
    "Incident", "IncidentPerson", "MatchReview", "Notification", "Person", "PersonBlockingKey",
    "PersonIdentifier", "PersonLink", "PersonMerge", "PersonMergeMove", "PersonRecord",
    "School", "Share", "SignInAttempt", "User", "UserSession", "UserTwoFactor",
    "WebhookEndpoint",
]
