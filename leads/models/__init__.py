"""Every model, importable from one place."""

from leads.models.article import Article, ArticleSlug
from leads.models.event import AuditEntry, LeadEvent
from leads.models.export_job import ExportJob, ExportState
from leads.models.lead import ContactMethod, Inquiry, Lead, LeadStatus, SpamSubmission
from leads.models.outbox import EmailKind, EmailStatus, OutboundEmail
from leads.models.questionnaire import QuestionnaireResponse
from leads.models.status_counts import LeadStatusCount
from leads.models.user import Role, User, UserSession

__all__ = [
    "Article",
    "ArticleSlug",
    "AuditEntry",
    "ContactMethod",
    "EmailKind",
    "EmailStatus",
    "ExportJob",
    "ExportState",
    "Inquiry",
    "Lead",
    "LeadEvent",
    "LeadStatus",
    "LeadStatusCount",
    "OutboundEmail",
    "QuestionnaireResponse",
    "Role",
    "SpamSubmission",
    "User",
    "UserSession",
]
