"""Runtime configuration.

Every clock length and threshold that local procedures may vary is configuration (DOMAIN.md),
read from environment variables prefixed ``SAFEGUARD_`` with the defaults below.
"""

from __future__ import annotations

from datetime import time
from functools import lru_cache
from pathlib import Path

from pydantic import Field
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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAFEGUARD_", frozen=True)

    database_url: str = "sqlite:///./var/safeguard.db"
    # Signs session cookies. The default is only for the local demo; production must set it.
    secret_key: str = "insecure-demo-key-set-SAFEGUARD_SECRET_KEY"
    # Session cookies are Secure unless explicitly relaxed for plain-http local demos.
    cookie_secure: bool = True
    session_max_age_seconds: int = 8 * 3600
    # Term dates of the county's schools; empty means every working day is a school day.
    term_dates_file: str = str(DEFAULT_TERM_DATES)
    worker_interval_seconds: float = 5.0
    clocks: ClockSettings = Field(default_factory=ClockSettings)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
