"""The three journeys end to end: Chromium against gunicorn, a Celery worker and beat, and an SMTP server.

Every page a journey visits is also checked with axe-core (no serious or critical
violation) and for reflow at 320 px (WCAG 1.4.10); `make screenshots` keeps its pictures.
"""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from leads.models import EmailKind, EmailStatus, Inquiry, Lead, OutboundEmail
from leads.models.base import utcnow
from tests.e2e.journeys import (
    SEND_ANSWERS,
    SEND_INQUIRY,
    Findings,
    answer_questionnaire,
    article_symptoms,
    complete_by_keyboard,
    expect_focused_error_summary,
    fill_inquiry,
    new_page,
    questionnaire_link,
    send_answers,
    send_inquiry,
    unsubscribe_link,
)
from tests.e2e.pages import shoot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _inquiries(stack, email: str) -> int:
    return stack.scalar(
        sa.select(sa.func.count()).select_from(Inquiry).join(Lead).where(Lead.email == email.lower())
    )


def _emails(stack, email: str, kind: str, status: str | None = None) -> int:
    query = (
        sa.select(sa.func.count())
        .select_from(OutboundEmail)
        .join(Lead)
        .where(Lead.email == email.lower(), OutboundEmail.kind == kind)
    )
    if status:
        query = query.where(OutboundEmail.status == status)
    return stack.scalar(query)


@pytest.mark.parametrize("device", ["phone", "desk"])
def test_patient_reads_the_article_and_sends_the_form(browser, stack, device):
    email = f"patient.{device}@example.org"
    findings = Findings(device)
    context, page = new_page(browser, device)
    try:
        page.goto(stack.article_url)
        findings.check(page, "article")

        # The table of contents takes the reader to the section.
        toc = page.get_by_role("navigation", name=re.compile("on this page", re.I))
        link = toc.get_by_role("link").nth(1)
        target = link.get_attribute("href")
        link.click()
        expect(page).to_have_url(re.compile(re.escape(target) + "$"))
        expect(page.locator(target)).to_be_in_viewport()

        page.get_by_label("Full name").focus()
        shoot(page, "article-form")

        # Sent empty: the summary takes focus, each field says what is wrong.
        page.get_by_role("button", name=SEND_INQUIRY).click()
        expect_focused_error_summary(page, re.compile("problem", re.I))
        for label in ("Full name", "Email address"):
            field = page.get_by_label(label)
            expect(field).to_have_attribute("aria-invalid", "true")
            expect(field).to_have_accessible_description(re.compile("please", re.I))
        expect(page.get_by_role("checkbox", name=re.compile("^I agree"))).to_have_accessible_description(
            re.compile("consent", re.I)
        )
        findings.check(page, "article-form-errors")

        # Fixed, then sent with a double-click: one inquiry, one confirmation.
        fill_inquiry(page, f"Pat {device.title()}", email)
        page.get_by_role("button", name=SEND_INQUIRY).dblclick()
        page.wait_for_url(re.compile(r"/thanks"))
        expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("thank", re.I))
        findings.check(page, "thanks")
        stack.wait_for_message(email, lambda m: "received your inquiry" in str(m["Subject"]))

        # Later, from the article again: sent, Back, sent again. Still one inquiry, one confirmation.
        page.goto(stack.article_url)
        fill_inquiry(page, f"Pat {device.title()}", email)
        page.get_by_role("button", name=SEND_INQUIRY).click()
        page.wait_for_url(re.compile(r"/thanks"))
        page.go_back()
        page.wait_for_load_state()
        if not page.get_by_label("Email address").input_value():
            fill_inquiry(page, f"Pat {device.title()}", email)
        page.get_by_role("button", name=SEND_INQUIRY).click()
        page.wait_for_url(re.compile(r"/thanks"))

        assert _inquiries(stack, email) == 1
        assert _emails(stack, email, EmailKind.CONFIRMATION) == 1
        time.sleep(2)  # a second confirmation, had one been owed, would be out by now
        confirmations = [m for m in stack.messages_to(email) if "received your inquiry" in str(m["Subject"])]
        assert len(confirmations) == 1
        findings.assert_none()
    finally:
        context.close()


def test_patient_answers_from_the_email_and_unsubscribes(browser, stack):
    email, quiet = "from.email@example.org", "quiet.patient@example.org"
    findings = Findings()
    context, page = new_page(browser, "phone")
    try:
        page.goto(stack.article_url)
        symptoms = article_symptoms(page)
        send_inquiry(page, stack, "Eve Mail", email)
        send_inquiry(page, stack, "Quinn Quiet", quiet)

        # The link from the real invitation opens the article's own questions.
        page.goto(questionnaire_link(stack, email))
        region = page.get_by_role("region", name="Your symptoms")
        for label in symptoms:
            expect(region.get_by_role("checkbox", name=label, exact=True)).to_have_count(1)
        expect(region.get_by_role("checkbox")).to_have_count(len(symptoms))
        findings.check(page, "questionnaire")

        send_answers(page)
        expect_focused_error_summary(page, re.compile("check these answers", re.I))
        findings.check(page, "questionnaire-errors")

        answer_questionnaire(page, red_flag=True)
        send_answers(page)
        expect(page.get_by_role("alert", name=re.compile("urgent", re.I))).to_be_visible()
        findings.check(page, "urgent")

        # The coordinators are alerted (every active account; here the admin).
        alert = stack.wait_for_message(stack.admin_email, lambda m: "Urgent lead" in str(m["Subject"]))
        assert email not in alert.get_body(("plain",)).get_content()

        # The other patient leaves through the link in a message; nothing more reaches them.
        page.goto(unsubscribe_link(stack, quiet))
        findings.check(page, "unsubscribe")
        page.get_by_role("button", name=re.compile("unsubscribe", re.I)).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("unsubscribed", re.I))
        findings.check(page, "unsubscribed")
        received = len(stack.messages_to(quiet))
        # Days later, when the reminders fall due, none goes out.
        stack.execute(
            sa.update(OutboundEmail)
            .where(
                OutboundEmail.lead_id == sa.select(Lead.id).where(Lead.email == quiet).scalar_subquery(),
                OutboundEmail.status == EmailStatus.PENDING,
            )
            .values(due_at=utcnow() - timedelta(seconds=1))
        )
        deadline = time.monotonic() + 30
        while _pending(stack, quiet) and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(2)
        assert _pending(stack, quiet) == 0, stack.logs()
        assert len(stack.messages_to(quiet)) == received
        assert _emails(stack, quiet, EmailKind.REMINDER, EmailStatus.SENT) == 0
        findings.assert_none()
    finally:
        context.close()


NEW_PASSWORD = "a-long-coordinator-passphrase-42"


def _urgent_lead(browser, stack, email: str) -> None:
    """A patient who reported a red flag in the questionnaire, through the pages they use."""
    context, page = new_page(browser, "phone")
    try:
        send_inquiry(page, stack, "Uma Urgent", email)
        page.goto(questionnaire_link(stack, email))
        answer_questionnaire(page, red_flag=True)
        send_answers(page)
        expect(page.get_by_role("alert", name=re.compile("urgent", re.I))).to_be_visible()
    finally:
        context.close()


def test_coordinator_handles_the_urgent_lead(browser, stack):
    urgent, calm = "urgent.case@example.org", "calm.case@example.org"
    _urgent_lead(browser, stack, urgent)
    findings = Findings()
    context, page = new_page(browser, "desk")
    try:
        send_inquiry(page, stack, "Carl Calm", calm)
        # A week unanswered: the calm lead is overdue (and newer than the urgent one).
        stack.execute(
            sa.update(Lead).where(Lead.email == calm).values(created_at=utcnow() - timedelta(days=7))
        )
        stack.execute(
            sa.update(Lead).where(Lead.email == urgent).values(created_at=utcnow() - timedelta(days=8))
        )

        # First login with the one-time password, then a password of one's own.
        page.goto(f"{stack.base_url}/dashboard/")
        expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("sign in", re.I))
        findings.check(page, "login")
        # Nothing is focused on arrival: the first Tab reaches the skip link.
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
        page.get_by_label("Email").fill(stack.admin_email)
        page.get_by_label("Password").fill(stack.admin_one_time_password)
        page.get_by_role("button", name=re.compile("sign in", re.I)).click()
        page.get_by_label("Current password").fill(stack.admin_one_time_password)
        page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("New password again").fill(NEW_PASSWORD)
        page.get_by_role("button", name=re.compile("change password", re.I)).click()

        # The inbox puts the urgent lead first.
        page.goto(f"{stack.base_url}/dashboard/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")
        first_row = page.get_by_role("table").get_by_role("row").nth(1)
        expect(first_row).to_contain_text("Uma Urgent")
        expect(first_row).to_contain_text(re.compile("urgent", re.I))
        expect(page.get_by_role("row", name=re.compile("Carl Calm"))).to_contain_text(
            re.compile("overdue", re.I)
        )
        findings.check(page, "inbox")

        # The lead page: the answers, then assign, change the status, add a note.
        first_row.get_by_role("link", name="Uma Urgent").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Uma Urgent")
        answers = page.get_by_role("region", name="Questionnaire answers")
        expect(answers).to_contain_text("6 / 10")
        expect(page.get_by_role("region", name="Red flags")).to_be_visible()
        findings.check(page, "lead")
        page.get_by_label("Assign to").select_option(label="Administrator")
        page.get_by_role("button", name="Assign", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text(re.compile("assign", re.I))
        page.get_by_label("New status").select_option(label="Contacted")
        page.get_by_role("button", name="Change status").click()
        expect(page.get_by_role("region", name="Contact", exact=True)).to_contain_text("Administrator")
        page.get_by_label("Note", exact=True).fill("Called back; booked for Monday.")
        page.get_by_role("button", name="Add note").click()
        expect(page.get_by_text("Called back; booked for Monday.")).to_be_visible()
        expect(page.locator("header").get_by_text("Contacted", exact=True)).to_be_visible()

        for name, path in (
            ("stats", "/dashboard/stats"),
            ("audit", "/dashboard/audit/"),
            ("users", "/dashboard/admin/users"),
            # The coordinator's working day, the clinic's site and tools, the articles' review.
            ("tasks", "/dashboard/tasks"),
            ("consultations", "/dashboard/consultations"),
            ("saved-replies", "/dashboard/admin/replies"),
            ("unmatched-mail", "/dashboard/admin/unmatched"),
            ("articles-admin", "/dashboard/admin/articles/"),
            ("wordpress", "/dashboard/wordpress/"),
            ("api-keys", "/dashboard/admin/api-keys/"),
            ("webhooks", "/dashboard/admin/webhooks/"),
        ):
            page.goto(stack.base_url + path)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            findings.check(page, name)

        # The CSV export, downloaded and read.
        page.goto(f"{stack.base_url}/dashboard/")
        with page.expect_download() as download:
            page.get_by_role("link", name="Export CSV").click()
        rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
        by_email = {row["email"]: row for row in rows}
        assert (by_email[urgent]["name"], by_email[urgent]["urgent"]) == ("Uma Urgent", "yes")
        assert (by_email[urgent]["status"], by_email[urgent]["assignee"]) == ("contacted", stack.admin_email)
        assert by_email[calm]["overdue"] == "yes"

        # Logged out, Back shows no patient data.
        page.get_by_role("row", name=re.compile("Uma Urgent")).get_by_role("link").first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Uma Urgent")
        page.get_by_role("button", name="Log out").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("sign in", re.I))
        page.go_back()
        page.wait_for_load_state()
        assert "Uma Urgent" not in page.content()
        assert urgent not in page.content()
        findings.assert_none()
    finally:
        context.close()


def test_keyboard_only_patient_sends_the_form_and_the_questionnaire(browser, stack):
    email = "keys.only@example.org"
    context, page = new_page(browser, "desk")
    try:
        page.goto(stack.article_url)
        unringed = complete_by_keyboard(
            page, {"Full name": "Kim Keys", "Email address": email}, submit=SEND_INQUIRY
        )
        expect(page).to_have_url(re.compile(r"/thanks"))
        assert _inquiries(stack, email) == 1

        page.goto(questionnaire_link(stack, email))
        unringed += complete_by_keyboard(page, {}, submit=SEND_ANSWERS)
        # Space ticks the first option of each question: "Yes" to the safety questions too.
        expect(page.get_by_role("alert", name=re.compile("urgent", re.I))).to_be_visible()
        assert unringed == [], f"focus not visible on: {unringed}"
    finally:
        context.close()


def _pending(stack, email: str) -> int:
    return stack.scalar(
        sa.select(sa.func.count())
        .select_from(OutboundEmail)
        .join(Lead)
        .where(Lead.email == email, OutboundEmail.status == EmailStatus.PENDING)
    )
