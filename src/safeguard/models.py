"""Every table, imported in dependency order so the metadata is complete (Alembic, tests)."""

from safeguard.access.models import (
    Agency,
    ApiKey,
    SignInAttempt,
    Team,
    TeamMember,
    User,
    UserSecurityKey,
    UserSession,
    UserTwoFactor,
)
from safeguard.audit.models import AuditEntry, AuditSeal
from safeguard.children.models import BreakGlass
from safeguard.concerns.models import Concern
from safeguard.custody.models import Detention, DetentionStep
from safeguard.db import Base
from safeguard.duties.models import Duty, DutyHolder, DutyTransition, Notification
from safeguard.events.models import Event
from safeguard.forensics.models import Device, DeviceStep
from safeguard.incidents.models import Incident, IncidentPerson
from safeguard.inspections.models import Action, Finding, Inspection, Revisit
from safeguard.measures.models import MeasureCursor, MeasureFact
from safeguard.missing.models import MissingEntry, MissingEpisode
from safeguard.notes.models import CaseNote
from safeguard.notify.models import DigestRun, DutyAlert, Email, NotificationPreference
from safeguard.offenders.models import (
    OffenderAssessment,
    OffenderChild,
    OffenderNotification,
    OffenderRegistration,
    OffenderVisit,
)
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
from safeguard.strategy.models import (
    Attendee,
    SharedInformation,
    StrategyAction,
    StrategyDiscussion,
)

__all__ = [
    "Action", "Finding", "Inspection", "MeasureCursor", "MeasureFact", "Revisit",
    "DigestRun", "DutyAlert", "Email", "NotificationPreference",
    "Address", "Agency", "ApiKey", "AuditEntry", "AuditSeal", "Base", "BreakGlass", "Concern",
    "Delivery", "Detention", "DetentionStep", "Device", "DeviceStep", "Duty", "DutyTransition",
    "Event", "Incident", "IncidentPerson", "MatchReview", "MissingEntry", "MissingEpisode",
    "Notification", "OffenderAssessment", "OffenderChild", "OffenderNotification",
    "OffenderRegistration", "OffenderVisit", "Person", "PersonBlockingKey",
    "PersonIdentifier", "PersonLink", "PersonMerge", "PersonMergeMove", "PersonRecord",
    "School", "Share", "SignInAttempt", "User", "UserSecurityKey", "UserSession", "UserTwoFactor",
    "WebhookEndpoint", "CaseNote", "Attendee", "SharedInformation", "StrategyAction",
    "StrategyDiscussion",
    "WebhookEndpoint", "DutyHolder", "Team", "TeamMember",
]
