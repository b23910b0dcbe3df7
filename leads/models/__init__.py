"""Every model, importable from one place."""

from leads.models.article import Article
from leads.models.event import AuditEntry, LeadEvent
from leads.models.lead import ContactMethod, Inquiry, Lead, LeadStatus, SpamSubmission
from leads.models.outbox import EmailKind, EmailStatus, OutboundEmail
from leads.models.questionnaire import QuestionnaireResponse
from leads.models.user import Role, User, UserSession
from leads.models.wordpress import WordPressSync

__all__ = [
    "Article",
    "AuditEntry",
    "ContactMethod",
    "EmailKind",
    "EmailStatus",
    "Inquiry",
    "Lead",
    "LeadEvent",
    "LeadStatus",
    "OutboundEmail",
    "QuestionnaireResponse",
    "Role",
    "SpamSubmission",
    "User",
    "UserSession",
    "WordPressSync",
]
