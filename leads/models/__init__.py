"""Every model, importable from one place."""

from leads.models.api import ApiKey, IdempotencyRecord
from leads.models.article import Article
from leads.models.event import AuditEntry, LeadEvent
from leads.models.lead import ContactMethod, Inquiry, Lead, LeadStatus, SpamSubmission
from leads.models.outbox import EmailKind, EmailStatus, OutboundEmail
from leads.models.questionnaire import QuestionnaireResponse
from leads.models.user import Role, User, UserSession
from leads.models.webhook import WebhookDelivery, WebhookEndpoint
from leads.models.wordpress import WordPressSync

__all__ = [
    "ApiKey",
    "Article",
    "AuditEntry",
    "ContactMethod",
    "EmailKind",
    "EmailStatus",
    "IdempotencyRecord",
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
    "WebhookDelivery",
    "WebhookEndpoint",
    "WordPressSync",
]
