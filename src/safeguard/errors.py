"""Errors services raise; the web layer maps each to one HTTP status."""

from __future__ import annotations


class SafeguardError(Exception):
    status_code = 400


class NotFound(SafeguardError):
    status_code = 404


class Forbidden(SafeguardError):
    status_code = 403


class Conflict(SafeguardError):
    status_code = 409


class Invalid(SafeguardError):
    status_code = 422


class Rejected(Invalid):
    """An event that is valid on its own but not against what is stored (it names an unknown
    report, or contradicts it): the field it is about and why, as the import, the API and a
    form report it."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
