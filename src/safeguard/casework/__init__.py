"""Casework: raising duties with their shares, discharging them with what that triggers, and
merging or unmerging people with the duties that follow them. Above duties and sharing, so
no lower area needs a hook to reach a higher one."""
