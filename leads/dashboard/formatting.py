"""Template filters for times as coordinators read them ("3 h ago", "2 d 4 h")."""

from __future__ import annotations

from datetime import datetime, timedelta


def span(delta: timedelta | None) -> str:
    """A duration in its two largest units: '2 d 4 h', '35 min', 'under a minute'."""
    if delta is None:
        return "—"
    seconds = max(int(delta.total_seconds()), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else "under a minute"


def ago(moment: datetime | None, now: datetime) -> str:
    return "never" if moment is None else f"{span(now - moment)} ago"


def stamp(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "—"
