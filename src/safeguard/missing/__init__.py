"""Children missing from home or care: one shared episode from report to return interview."""
