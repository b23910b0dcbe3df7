"""Saved views: a coordinator names the inbox's current filters and finds them again in the navigation."""

from __future__ import annotations

from urllib.parse import urlencode

import sqlalchemy as sa

from leads.dashboard.actions import ActionError
from leads.dashboard.filters import InboxFilters
from leads.extensions import db
from leads.models import SavedView, User

NAME_MAX = 60
VIEWS_MAX = 20
QUERY_MAX = 2000  # the column's length


def views_of(user_id: int) -> list[SavedView]:
    return list(
        db.session.scalars(sa.select(SavedView).where(SavedView.user_id == user_id).order_by(SavedView.name))
    )


def save_view(user: User, name: str, filters: InboxFilters) -> SavedView:
    """Keep the filters (as parsed, so only values the inbox understands) under `name`; the same name replaces."""
    name = " ".join((name or "").split())
    if not name:
        raise ActionError("Give the view a name.")
    if len(name) > NAME_MAX:
        raise ActionError(f"A view's name can be at most {NAME_MAX} characters.")
    query = urlencode(filters.query_args())
    if len(query) > QUERY_MAX:
        raise ActionError("These filters are too long to save; shorten the search.")
    view = db.session.scalar(sa.select(SavedView).where(SavedView.user_id == user.id, SavedView.name == name))
    if view is None:
        count = db.session.scalar(sa.select(sa.func.count()).where(SavedView.user_id == user.id))
        if count >= VIEWS_MAX:
            raise ActionError(f"You can keep at most {VIEWS_MAX} views; delete one first.")
        view = SavedView(user_id=user.id, name=name, query=query)
        db.session.add(view)
    else:
        view.query = query
    db.session.commit()
    return view


def delete_view(user: User, view_id: int) -> None:
    view = db.session.get(SavedView, view_id)
    if view is None or view.user_id != user.id:
        raise ActionError("That view is not one of yours.")
    db.session.delete(view)
    db.session.commit()
