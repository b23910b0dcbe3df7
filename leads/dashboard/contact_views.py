"""The lead page's contact actions: proposed details, direct edits, re-subscribing."""

from __future__ import annotations

from flask_login import current_user

from leads.dashboard import contact
from leads.dashboard.contact_forms import ContactForm, ProposalForm, ResubscribeForm
from leads.dashboard.lead_views import _run
from leads.dashboard.routes import bp


@bp.post("/leads/<int:lead_id>/contact/accept")
def accept_contact(lead_id: int):
    form = ProposalForm()
    return _run(
        lead_id,
        form,
        lambda lead: contact.accept_proposed(lead, form.inquiry_id.data, current_user),
        "The new contact details are now the lead's.",
    )


@bp.post("/leads/<int:lead_id>/contact/keep")
def keep_contact(lead_id: int):
    form = ProposalForm()
    return _run(
        lead_id,
        form,
        lambda lead: contact.keep_current(lead, form.inquiry_id.data, current_user),
        "The lead keeps its contact details.",
    )


@bp.post("/leads/<int:lead_id>/contact")
def edit_contact(lead_id: int):
    form = ContactForm()
    return _run(
        lead_id,
        form,
        lambda lead: contact.edit_contact(
            lead,
            form.full_name.data.strip(),
            form.normalized_email,
            form.normalized_phone,
            form.preferred_contact.data,
            current_user,
        ),
        "Contact details saved.",
    )


@bp.post("/leads/<int:lead_id>/resubscribe")
def resubscribe(lead_id: int):
    form = ResubscribeForm()
    return _run(
        lead_id,
        form,
        lambda lead: contact.resubscribe(lead, form.reason.data, current_user),
        "The patient is subscribed again.",
    )
