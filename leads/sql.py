"""Small query pieces several areas share: LIKE patterns and calendar-day boundaries."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

# The escape character every LIKE pattern built here uses (pass it as `escape=`).
LIKE_ESCAPE = "\\"


def escape_like(text: str) -> str:
    """`text` matched literally inside a LIKE pattern: its %, _ and the escape itself lose their meaning."""
    return (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )


def day_start(day: date) -> datetime:
    """The first moment of `day`; stored times and the dashboard's days are UTC."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def within_days(
    column: sa.ColumnElement, first: date | None, last: date | None
) -> list[sa.ColumnElement[bool]]:
    """Conditions for `column` falling on `first` .. `last`, both days included whole."""
    conditions = []
    if first is not None:
        conditions.append(column >= day_start(first))
    if last is not None and last < date.max:  # the last day there is has no day after it
        conditions.append(column < day_start(last + timedelta(days=1)))
    return conditions
