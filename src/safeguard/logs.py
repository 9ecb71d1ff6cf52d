"""Logs as one JSON object a line, for whatever collects the service's output.

A record's own fields travel in ``extra={"fields": {...}}``. What is logged never carries
personal data: the request log names a route's template (``/children/{person_id}``), never
the address asked for or its query, and an error is logged by its type and where it was
raised, never its message (a database error's message can quote the values it was given).
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

FIELDS = "fields"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name,
            "message": record.getMessage()}
        fields = getattr(record, FIELDS, None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            line["error"] = type(error).__name__
            line["where"] = [f"{frame.filename}:{frame.lineno} in {frame.name}"
                             for frame in traceback.extract_tb(error.__traceback__)[-5:]]
        return json.dumps(line, default=str)


def configure(level: int = logging.INFO) -> None:
    """Every logger's records as JSON lines on stderr (the server's and the worker's)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
