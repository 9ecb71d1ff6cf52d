"""Every table, imported in dependency order so the metadata is complete (Alembic, tests)."""

from safeguard.access.models import (
    Agency,
    ApiKey,
    SignInAttempt,
    User,
    UserSecurityKey,
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
    "Address", "Agency", "ApiKey", "AuditEntry", "AuditSeal", "Base", "BreakGlass", "Concern",
    "Delivery", "Duty", "DutyTransition", "Event",
    "Incident", "IncidentPerson", "MatchReview", "Notification", "Person", "PersonBlockingKey",
    "PersonIdentifier", "PersonLink", "PersonMerge", "PersonMergeMove", "PersonRecord",
    "School", "Share", "SignInAttempt", "User", "UserSecurityKey", "UserSession", "UserTwoFactor",
    "WebhookEndpoint",
]
