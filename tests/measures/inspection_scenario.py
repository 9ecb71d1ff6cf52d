"""An inspection and an action of its plan, as the import sends them (docs/events.md)."""

from __future__ import annotations

INSPECTION = {"event": "inspection", "source": "police", "source_id": "HMI-2026",
              "inspectorate": "HMICFRS", "title": "Child protection inspection",
              "started_on": "2026-03-02", "ended_on": "2026-03-13",
              "published_on": "2026-06-30", "report_url": "https://example.org/report",
              "findings": [{"ref": "F1", "kind": "cause_of_concern",
                            "text": "Shares with social care are slow.",
                            "measures": ["sharing-with-partners"]},
                           {"kind": "recommendation", "text": "Meet within a day.",
                            "measures": ["joint-work", "further-concerns"]}]}
ACTION = {"event": "inspection_action", "source": "police", "source_id": "HMI-2026-A1",
          "inspection": "HMI-2026", "finding": "F1", "text": "Staff the MASH desk overnight.",
          "owner_agency": "childrens_social_care", "owner_name": "Helen Price",
          "due_on": "2026-12-31"}
