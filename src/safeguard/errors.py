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


class InvalidField(Invalid):
    """Input refused for one field's sake (a step naming an unknown submission, an unknown
    registration): an import reports the field and reason beside the line number, a page or
    API the two together."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason
