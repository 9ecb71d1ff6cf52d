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
