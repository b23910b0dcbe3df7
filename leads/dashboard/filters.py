"""The inbox's filters and sort, parsed from (and written back to) the URL query string."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date

import sqlalchemy as sa

from leads.extensions import db
from leads.i18n import languages
from leads.input_guard import MAX_ID
from leads.models import Inquiry, Lead, LeadStatus, LeadStatusCount, QuestionnaireResponse
from leads.sql import LIKE_ESCAPE, escape_like, within_days

ASSIGNEE_CHOICES = ("anyone", "mine", "unassigned")
QUESTIONNAIRE_CHOICES = ("answered", "unanswered")
MAX_SEARCH = 200


@dataclass(frozen=True)
class InboxFilters:
    status: str = ""
    urgent: bool = False
    article: int | None = None
    assignee: str = "anyone"  # "anyone", "mine", "unassigned" or a user id
    source: str = ""
    created_from: date | None = None
    created_to: date | None = None
    questionnaire: str = ""  # "", "answered", "unanswered"
    language: str = ""  # "" or an offered language code (leads/i18n.py)
    q: str = ""
    sort: str = "priority"

    def query_args(self, **changes: object) -> dict[str, str]:
        """The non-default values, as URL query arguments (for links and the export)."""
        if unknown := changes.keys() - FILTER_DEFAULTS.keys():
            raise TypeError(f"not an inbox filter: {sorted(unknown)}")
        # Field by field, not asdict(): the inbox builds a dozen of these links per page.
        args = {}
        for name, default in FILTER_DEFAULTS.items():
            value = changes[name] if name in changes else getattr(self, name)
            if value == default or value is None or value == "":
                continue
            args[name] = (
                "1" if value is True else value.isoformat() if isinstance(value, date) else str(value)
            )
        return args

    def for_audit(self) -> dict[str, str]:
        """The filters as the audit log keeps them: never the search text, which may name a patient."""
        args = self.query_args()
        if "q" in args:
            args["q"] = "(search)"
        return args


FILTER_DEFAULTS = {item.name: item.default for item in fields(InboxFilters)}


def _is_id(raw: str) -> bool:
    return re.fullmatch(r"[0-9]{1,10}", raw) is not None and int(raw) <= MAX_ID


def _date(raw: str, name: str, problems: list[str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(f"{name} must be a date like 2026-01-31")
        return None


def parse_filters(args: Mapping[str, str], sorts: Mapping[str, object]) -> tuple[InboxFilters, list[str]]:
    """Read the filters; a wrong value is dropped and reported, never an error page."""
    problems: list[str] = []
    status = args.get("status", "").strip()
    if status and status not in set(LeadStatus):
        problems.append("unknown status ignored")
        status = ""
    article = None
    raw_article = args.get("article", "").strip()
    if raw_article:
        if _is_id(raw_article):
            article = int(raw_article)
        else:
            problems.append("unknown article ignored")
    assignee = args.get("assignee", "").strip() or "anyone"
    if assignee not in ASSIGNEE_CHOICES and not _is_id(assignee):
        problems.append("unknown assignee ignored")
        assignee = "anyone"
    questionnaire = args.get("questionnaire", "").strip()
    if questionnaire and questionnaire not in QUESTIONNAIRE_CHOICES:
        problems.append("unknown questionnaire state ignored")
        questionnaire = ""
    language = args.get("language", "").strip().lower()
    if language and language not in languages():
        problems.append("unknown language ignored")
        language = ""
    sort = args.get("sort", "").strip() or "priority"
    if sort not in sorts:
        problems.append("unknown sort ignored")
        sort = "priority"
    filters = InboxFilters(
        status=status,
        urgent=args.get("urgent", "") in {"1", "on", "true", "yes"},
        article=article,
        assignee=assignee,
        source=args.get("source", "").strip()[:200],
        created_from=_date(args.get("created_from", "").strip(), "From", problems),
        created_to=_date(args.get("created_to", "").strip(), "To", problems),
        questionnaire=questionnaire,
        language=language,
        q=" ".join(args.get("q", "").split())[:MAX_SEARCH],
        sort=sort,
    )
    return filters, problems


def search_condition(q: str) -> sa.ColumnElement[bool]:
    """Name contains (any case); email or phone equal or starting with what was typed.

    Each branch matches an index on PostgreSQL (trigrams for the name, text_pattern_ops for the
    email), so the OR is a bitmap of index scans, not a scan of every lead.
    """
    pattern = escape_like(q)
    conditions = [
        # Addresses are stored normalized (lower-case domain); try the text as typed and in lower case.
        Lead.email.like(f"{pattern}%", escape=LIKE_ESCAPE),
        Lead.email.like(f"{escape_like(q.lower())}%", escape=LIKE_ESCAPE),
    ]
    if "@" not in q:
        # No name has an "@"; an address's trigrams ("exa", "com", ...) would walk most of the index.
        conditions.append(Lead.full_name.ilike(f"%{pattern}%", escape=LIKE_ESCAPE))
    digits = re.sub(r"\D", "", q)
    if len(digits) >= 3 and re.fullmatch(r"[\d\s()+.\-]+", q):
        conditions.append(Lead.phone.like(f"+{digits}%"))
    return sa.or_(*conditions)


def conditions(filters: InboxFilters, user_id: int | None, *, with_status: bool = True) -> list:
    """SQL conditions for the filters; `with_status=False` for the per-status counts."""
    where: list = [Lead.merged_into_id.is_(None)]
    if with_status and filters.status:
        where.append(Lead.status == filters.status)
    if filters.urgent:
        where.append(Lead.is_urgent.is_(True))
    if filters.article is not None:
        where.append(sa.exists().where(Inquiry.lead_id == Lead.id, Inquiry.article_id == filters.article))
    if filters.assignee == "mine":
        where.append(Lead.assignee_id == user_id)
    elif filters.assignee == "unassigned":
        where.append(Lead.assignee_id.is_(None))
    elif _is_id(filters.assignee):
        where.append(Lead.assignee_id == int(filters.assignee))
    if filters.source:
        where.append(sa.exists().where(Inquiry.lead_id == Lead.id, Inquiry.utm_source == filters.source))
    where += within_days(Lead.created_at, filters.created_from, filters.created_to)
    if filters.questionnaire:
        answered = sa.exists().where(QuestionnaireResponse.lead_id == Lead.id)
        where.append(answered if filters.questionnaire == "answered" else ~answered)
    if filters.language:
        where.append(Lead.language == filters.language)
    if filters.q:
        where.append(search_condition(filters.q))
    return where


# Past this many matches a filtered view's tabs say "more than" instead of counting every match:
# a search matching a large share of the leads (a common first name) was a 300 ms count at 1M.
COUNT_BOUND = 1_000


class StatusCounts(dict[str, int]):
    """Leads per status. `more_than` is set (to the bound) when more leads matched than were counted:
    then only that is known, and each status's figure is just how many of those counted had it."""

    more_than: int | None = None


def status_counts(filters: InboxFilters, user_id: int | None) -> StatusCounts:
    """How many leads per status under the other filters.

    With no other filter these are the counter rows the database keeps (a hundred rows, not a scan
    of every lead), exact at any size; under a filter, one GROUP BY over at most COUNT_BOUND + 1 of
    the leads that match it.
    """
    bound = None
    if replace(filters, status="", sort="priority") == InboxFilters():
        query = sa.select(LeadStatusCount.status, sa.func.sum(LeadStatusCount.total)).group_by(
            LeadStatusCount.status
        )
    else:
        bound = COUNT_BOUND
        matches = (
            sa.select(Lead.status)
            .where(*conditions(filters, user_id, with_status=False))
            .limit(bound + 1)
            .subquery()
        )
        query = sa.select(matches.c.status, sa.func.count()).group_by(matches.c.status)
    counts = StatusCounts({status.value: 0 for status in LeadStatus})
    counts.update((status, int(total)) for status, total in db.session.execute(query))
    if bound is not None and sum(counts.values()) > bound:
        counts.more_than = bound
    return counts
