"""Every model, importable from one place."""

from leads.models.api import ApiKey, IdempotencyRecord
from leads.models.article import Article, ArticleSlug
from leads.models.consultation import Consultation, Place
from leads.models.event import AuditEntry, LeadEvent
from leads.models.export_job import ExportJob, ExportState
from leads.models.inbound import InboundAttachment, InboundMessage
from leads.models.lead import ContactMethod, Inquiry, Lead, LeadStatus, SpamSubmission
from leads.models.message import PatientMessage, SavedReply
from leads.models.next_step import NextStep, SavedView, StepKind
from leads.models.outbox import EmailKind, EmailStatus, OutboundEmail
from leads.models.questionnaire import QuestionnaireResponse
from leads.models.stats_counts import InquiryOriginCount, LeadDayCount, LeadFunnelCount
from leads.models.status_counts import LeadStatusCount
from leads.models.user import Role, User, UserSession
from leads.models.webhook import WebhookDelivery, WebhookEndpoint
from leads.models.wordpress import WordPressSync

__all__ = [
    "ApiKey",
    "Article",
    "ArticleSlug",
    "AuditEntry",
    "Consultation",
    "ContactMethod",
    "EmailKind",
    "EmailStatus",
    "ExportJob",
    "ExportState",
    "IdempotencyRecord",
    "InboundAttachment",
    "InboundMessage",
    "Inquiry",
    "InquiryOriginCount",
    "Lead",
    "LeadDayCount",
    "LeadEvent",
    "LeadFunnelCount",
    "LeadStatus",
    "LeadStatusCount",
    "NextStep",
    "OutboundEmail",
    "PatientMessage",
    "Place",
    "QuestionnaireResponse",
    "Role",
    "SavedReply",
    "SavedView",
    "SpamSubmission",
    "StepKind",
    "User",
    "UserSession",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WordPressSync",
]
