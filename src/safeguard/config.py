"""Runtime configuration.

Every clock length and threshold that local procedures may vary is configuration (DOMAIN.md),
read from environment variables prefixed ``SAFEGUARD_`` with the defaults below.
"""

from __future__ import annotations

import secrets
from datetime import time
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_TERM_DATES = PACKAGE_DIR / "data" / "term_dates.json"


class ClockSettings(BaseSettings):
    """Clock lengths and thresholds used by the rules (defaults from DOMAIN.md)."""

    model_config = SettingsConfigDict(env_prefix="SAFEGUARD_CLOCK_", frozen=True)

    # Police share a child-at-risk notification with children's social care.
    share_with_csc_hours: float = 24.0
    # Children's social care decide on a referral: 1 working day from receipt.
    referral_decision_working_days: int = 1
    # Operation Encompass: before the start of the next school day.
    school_day_starts: time = time(8, 30)
    # DASH: 14+ yes answers is high risk (MARAC), 10-13 medium.
    dash_high_threshold: int = 14
    dash_medium_threshold: int = 10
    # A MARAC referral should follow a high-risk assessment promptly.
    marac_referral_working_days: int = 1
    # Repeat victimisation: N incidents at one household within a window.
    repeat_incident_count: int = 3
    repeat_window_days: int = 365
    repeat_escalation_hours: float = 24.0
    # A data-quality task (a fact a rule needed is missing or in conflict) is put right in N.
    data_quality_working_days: int = 2


class DeliverySettings(BaseSettings):
    """Delivering shares to partner systems by webhook (the outbox worker)."""

    model_config = SettingsConfigDict(env_prefix="SAFEGUARD_DELIVERY_", frozen=True)

    # One HTTP attempt may take this long; the lease must outlive it, or a slow send could be
    # claimed again by another worker while still in flight.
    timeout_seconds: float = 10.0
    lease_seconds: float = 60.0
    # Full-jitter exponential backoff: wait uniform(0, min(cap, base * 2**attempts)) seconds.
    # With these defaults 20 attempts span several hours, so a partner down for an afternoon
    # still receives everything; after that the delivery is dead until an administrator
    # re-drives it.
    backoff_base_seconds: float = 2.0
    backoff_cap_seconds: float = 3600.0
    max_attempts: int = 20
    batch_size: int = 100
    # Sends in flight at once per worker, so one slow partner does not hold up the others.
    concurrency: int = 8
    # Poll quickly while there is work; back off to idle_seconds when there is none.
    poll_seconds: float = 0.1
    idle_seconds: float = 0.5
    # After sending a part-full batch, wait this long before the next cycle so that shares
    # arriving meanwhile go together: a cycle's transaction costs about as much for one share
    # as for fifty, and on SQLite it queues behind incidents for the one write lock.
    linger_seconds: float = 0.05

    def claim_limit(self) -> int:
        """How many deliveries one cycle claims: batch_size, but no more than can be sent in
        half the lease even if every send takes the whole timeout (`concurrency` at a time),
        so a batch to a slow partner is never claimed again by another worker while in
        flight. With the defaults, 3 rounds of 8: 24."""
        rounds = max(1, int(self.lease_seconds / (2 * self.timeout_seconds)))
        return max(1, min(self.batch_size, rounds * self.concurrency))


class SharingSettings(BaseSettings):
    """Escalation of unacknowledged shares, joint-assessment thresholds and share contents."""

    model_config = SettingsConfigDict(env_prefix="SAFEGUARD_SHARING_", frozen=True)

    # A breached share escalates again, to senior managers, this long after the breach.
    second_level_hours: float = 24.0
    # Joint assessment: concerns from N+ agencies within a window raise a strategy discussion.
    joint_agencies: int = 2
    joint_window_days: int = 30
    # A second concern about a child within this many days is escalating risk.
    repeat_concern_days: int = 7
    # An incident's risk is compared with the child's previous one within this many days.
    risk_lookback_days: int = 365
    strategy_discussion_working_days: int = 1
    # Initial child protection conference: 15 working days from the strategy discussion.
    icpc_working_days: int = 15
    # Per share kind, fewer content fields than its declaration allows, where local procedure
    # narrows a share (JSON in SAFEGUARD_SHARING_SHARE_FIELDS); a field the kind does not
    # declare is never shared, whatever this says.
    share_fields: dict[str, tuple[str, ...]] = Field(default_factory=dict)


class CustodySettings(BaseSettings):
    """Clocks of a child's detention in police custody (PACE and its Code C; the Concordat on
    Children in Custody). Every clock runs in clock hours, day and night, never working days."""

    model_config = SettingsConfigDict(env_prefix="SAFEGUARD_CUSTODY_", frozen=True)

    # From the authorisation of detention: tell a parent or the person responsible for the
    # child's welfare; ask for an appropriate adult, and have one present.
    inform_parent_hours: float = 1.0
    appropriate_adult_requested_hours: float = 1.0
    appropriate_adult_present_hours: float = 2.0
    # PACE s40: the first review 6 hours after detention was authorised, then every 9 hours.
    first_review_hours: float = 6.0
    review_interval_hours: float = 9.0
    # PACE s41-42: charge, release or an authorised extension by 24 hours; 36 with one.
    detention_limit_hours: float = 24.0
    extended_limit_hours: float = 36.0
    # After bail is refused: ask the council for accommodation, the council answers, and the
    # child is moved (or the custody officer certifies why not, PACE s38(6)).
    transfer_request_hours: float = 1.0
    accommodation_answer_hours: float = 2.0
    transfer_hours: float = 4.0
    # The certificate reaches children's social care (a share acknowledged) within this.
    certificate_share_hours: float = 1.0
    # Under this age on the day of arrival a detainee is a child ("juvenile" since 2015).
    adult_age: int = 18


class OffenderSettings(BaseSettings):
    """Managing registered sex offenders: notification clocks, the child-near-an-offender
    share, and the capacity the unit is measured against (DOMAIN.md: no official ratio)."""

    model_config = SettingsConfigDict(env_prefix="SAFEGUARD_OFFENDERS_", frozen=True)

    # Sexual Offences Act 2003 s84: a change is notified within 3 days, counting the day of
    # the change as the first.
    notify_change_within_days: int = 3
    # s85: re-notification within one year of the last notification.
    renotify_years: int = 1
    # Considering enforcement of a late notification (a supervisor's decision).
    consider_enforcement_working_days: int = 5
    # A child found near an offender is shared with children's social care within N hours.
    child_share_hours: float = 24.0
    # Risk levels (ARMS) at which a child near the offender also needs a strategy discussion.
    strategy_discussion_risks: tuple[str, ...] = ("high", "very_high")
    # Caseload target per offender manager, and the weight of one offender at each risk
    # level against it (all 1: a plain count).
    caseload_target: float = 50.0
    risk_weights: dict[str, float] = Field(default_factory=lambda: {
        "very_high": 1.0, "high": 1.0, "medium": 1.0, "low": 1.0})
    # Home visits one officer can make in a week, beside the rest of the work.
    visits_per_officer_per_week: float = 6.0


class MissingSettings(BaseSettings):
    """Clocks and thresholds for children missing from home or care (DOMAIN.md)."""

    model_config = SettingsConfigDict(env_prefix="SAFEGUARD_MISSING_", frozen=True)

    # Police tell children's social care (and a placing authority that is another council):
    # within 1 hour at high risk, 24 hours otherwise, from the report.
    notify_high_risk_hours: float = 1.0
    notify_hours: float = 24.0
    # The school is told before the next school day when the child is still missing then:
    # the check is made this long before that day starts, leaving the police time to tell it.
    school_check_lead_hours: float = 2.0
    # A strategy discussion when the child has been missing this long (from last seen)...
    open_strategy_hours: float = 24.0
    # ...or at the Nth episode starting within a window (no national threshold: DOMAIN.md).
    repeat_episode_count: int = 3
    repeat_window_days: int = 90
    # Return home interview: within 72 clock hours of the return (DfE statutory guidance).
    return_interview_hours: float = 72.0


class SignInSettings(BaseSettings):
    """Sessions and the throttling of password and code guesses (OWASP ASVS 5.0 V6.3, V7)."""

    model_config = SettingsConfigDict(env_prefix="SAFEGUARD_SIGN_IN_", frozen=True)

    # A session ends after this long without a request, and this long after sign-in whatever.
    idle_seconds: int = 30 * 60
    # Failures an account may have (since its last sign-in, within account_window_seconds)
    # before each further guess waits lockout_seconds, doubling per failure up to the cap.
    account_failures: int = 5
    account_window_seconds: int = 24 * 3600
    # The same for one client address (several people may share an office's address, and an
    # address's sign-ins never clear its failures: one's own account must not reset them).
    address_failures: int = 20
    address_window_seconds: int = 15 * 60
    lockout_seconds: int = 60
    lockout_max_seconds: int = 3600
    # Between the password and the code, the half-signed-in state lasts this long.
    second_factor_seconds: int = 300
    # The origin security keys are bound to (https://safeguard.example.gov.uk); empty: the
    # origin each request came to. Set it behind a proxy that changes the host.
    webauthn_origin: str = ""


class AuditSettings(BaseSettings):
    """The audit chain's checkpoints (docs/security.md, finding 8). The keys are files kept
    outside the repository and the database: the signing key where checkpoints are made, the
    public key with the witness."""

    model_config = SettingsConfigDict(env_prefix="SAFEGUARD_AUDIT_", frozen=True)

    signing_key_file: str = ""
    verify_key_file: str = ""


class GovernanceSettings(BaseSettings):
    """What counts as unusual access on the information-governance pages."""

    model_config = SettingsConfigDict(env_prefix="SAFEGUARD_GOVERNANCE_", frozen=True)

    # Access outside these London hours (whole hours, 0-24) is listed as out of hours.
    day_starts_hour: int = Field(default=7, ge=0, le=24)
    day_ends_hour: int = Field(default=19, ge=0, le=24)
    # More person reads than this by one user or key in one hour is listed as high volume.
    reads_per_hour: int = 100
    # The unusual-access page looks back this far unless asked otherwise.
    window_days: int = 7


class ForensicsSettings(BaseSettings):
    """The digital forensics unit's queue: clocks by priority and the forecast's staffing."""

    model_config = SettingsConfigDict(env_prefix="SAFEGUARD_FORENSICS_", frozen=True)

    # Priority 1 (threat to life, a suspect with access to children): triage, then complete.
    p1_triage_days: int = 2
    p1_complete_days: int = 30
    # Priority 2 (indecent images, contact sexual offences otherwise).
    p2_triage_days: int = 14
    p2_complete_days: int = 90
    # Priority 3 (the rest): no triage clock, complete within this.
    p3_complete_days: int = 180
    # Findings that identify a child, or category A/B against a suspect living with
    # children, are shared with children's social care within this many hours.
    share_hours: float = 24.0
    # The forecast reads arrival and completion rates over this many days.
    rate_window_days: int = 90
    # Devices one examiner completes in a week, for "examiners needed".
    devices_per_examiner_per_week: float = 6.0


class MeasureSettings(BaseSettings):
    """The inspection measures: how far back the trends go and the targets each is held to."""

    model_config = SettingsConfigDict(env_prefix="SAFEGUARD_MEASURES_", frozen=True)

    # Trends show this many months, the current one included.
    months: int = Field(default=12, ge=1, le=60)
    # Per indicator, a target and an amber threshold (fractions, 0-1) replacing the
    # declaration's defaults (JSON, e.g. {"shares_acknowledged_in_time": 0.98}).
    targets: dict[str, float] = Field(default_factory=dict)
    amber: dict[str, float] = Field(default_factory=dict)


class InspectionSettings(BaseSettings):
    """Clocks of an inspection's remedial action plan (HMICFRS follow-up methodology)."""

    model_config = SettingsConfigDict(env_prefix="SAFEGUARD_INSPECTIONS_", frozen=True)

    # The remedial action plan is due this many days after the report is published.
    action_plan_days: int = Field(default=42, ge=1)
    # A revisit's preparation (the revisit report, evidence gathered) is due this many days
    # before the revisit.
    revisit_preparation_days: int = Field(default=14, ge=0)


class LinkageSettings(BaseSettings):
    """Person matching (environment variables SAFEGUARD_LINKAGE_*)."""

    model_config = SettingsConfigDict(env_prefix="SAFEGUARD_LINKAGE_", frozen=True)

    # The match model the store links with: a model fitted to the store's own records
    # (`safeguard model train --out FILE`). Empty: the shipped model.
    model_file: str = ""


class EmailSettings(BaseSettings):
    """Email notifications through SMTP (notify/). The username and password come from the
    environment (SAFEGUARD_EMAIL_USERNAME, SAFEGUARD_EMAIL_PASSWORD), never from the repo."""

    model_config = SettingsConfigDict(env_prefix="SAFEGUARD_EMAIL_", frozen=True)

    # Empty: no email is sent (what is queued waits, and expires after max_age_hours).
    host: str = ""
    port: int = 587
    from_address: str = "safeguard@localhost"
    # STARTTLS before signing in and sending; off only for a relay on a trusted network.
    tls: bool = True
    # Certificates to trust for STARTTLS besides the system's (a relay with a private CA).
    ca_file: str = ""
    username: str = ""
    password: SecretStr = SecretStr("")
    # The links in emails start with this (the address people sign in at).
    base_url: str = "http://localhost:8000"
    timeout_seconds: float = 10.0
    lease_seconds: float = 120.0
    batch_size: int = 50
    # Full-jitter exponential backoff between attempts, then failed.
    backoff_base_seconds: float = 30.0
    backoff_cap_seconds: float = 3600.0
    max_attempts: int = 8
    # An email still unsent this long after it was queued is no longer worth sending.
    max_age_hours: float = 24.0
    # A duty is "about to breach" this long before it is due (warned of once).
    due_soon_hours: float = Field(default=2.0, gt=0)
    # The daily digest goes at this London time.
    digest_at: time = time(7, 0)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAFEGUARD_", frozen=True)

    database_url: str = "sqlite:///./var/safeguard.db"
    # Migrations run as the tables' owner; the service, as a role that owns nothing
    # (safeguard_app on PostgreSQL: docs/security.md). Unset, migrations use database_url.
    migration_database_url: str = ""
    # Signs session cookies. Unset, each process makes a random one (sign-ins then last only
    # until a restart): production sets SAFEGUARD_SECRET_KEY, and no key lives in the repo.
    secret_key: str = Field(default_factory=lambda: secrets.token_urlsafe(32))
    # Session cookies are Secure unless explicitly relaxed for plain-http local demos.
    cookie_secure: bool = True
    session_max_age_seconds: int = 8 * 3600
    # Term dates of the county's schools; empty means every working day is a school day.
    term_dates_file: str = str(DEFAULT_TERM_DATES)
    worker_interval_seconds: float = 5.0
    # How long break-glass sight of a child lasts before it must be asked for again.
    break_glass_hours: float = Field(default=4.0, gt=0, le=24)
    # The largest request body accepted (413 beyond it). The body is read in full before a
    # transaction begins, so this bounds the memory a request holds, never a lock. The
    # default fits a 20 MB JSON Lines upload with its form's wrapping.
    max_body_bytes: int = 21 * 1024 * 1024
    # Lines in one upload (web or API); a larger file goes by `safeguard import` or in parts.
    max_import_lines: int = 50_000
    clocks: ClockSettings = Field(default_factory=ClockSettings)
    sharing: SharingSettings = Field(default_factory=SharingSettings)
    missing: MissingSettings = Field(default_factory=MissingSettings)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    sign_in: SignInSettings = Field(default_factory=SignInSettings)
    audit: AuditSettings = Field(default_factory=AuditSettings)
    governance: GovernanceSettings = Field(default_factory=GovernanceSettings)
    custody: CustodySettings = Field(default_factory=CustodySettings)
    forensics: ForensicsSettings = Field(default_factory=ForensicsSettings)
    offenders: OffenderSettings = Field(default_factory=OffenderSettings)
    measures: MeasureSettings = Field(default_factory=MeasureSettings)
    inspections: InspectionSettings = Field(default_factory=InspectionSettings)
    linkage: LinkageSettings = Field(default_factory=LinkageSettings)
    email: EmailSettings = Field(default_factory=EmailSettings)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
