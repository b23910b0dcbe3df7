"""Steps the journeys share: open a page, send the inquiry form, answer the questionnaire.

Elements are found by role and by label, as a patient or a screen reader finds them, so a
changed layout or class name does not break a journey; only a changed label does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from playwright.sync_api import expect

from tests.e2e.pages import DESK, PHONE, axe_violations, overflow_at, require_axe, shoot
from tests.e2e.stack import Stack, links_in

SEND_INQUIRY = re.compile(r"send my inquiry", re.I)
SEND_ANSWERS = re.compile(r"send my answers", re.I)
CONSENT = re.compile(r"^I agree")
# Eight engineers share two cores: give the page time before an expectation fails.
expect.set_options(timeout=15_000)


@dataclass
class Findings:
    """Accessibility and reflow problems of every page a journey visits, reported together at its end."""

    device: str = ""
    problems: list[str] = field(default_factory=list)

    def check(self, page, name: str) -> None:
        """axe, the meta description and reflow at 320 px; then the page's pictures (`make screenshots`)."""
        name_shown = f"{name} ({self.device})" if self.device else name
        self.problems += [f"{name_shown}: axe: {line}" for line in axe_violations(page)]
        descriptions = page.locator('head meta[name="description"]').count()
        if descriptions != 1:
            self.problems.append(f"{name_shown}: {descriptions} meta descriptions, not 1")
        scroll_width, client_width, culprits = overflow_at(page)
        if scroll_width > client_width:
            self.problems.append(
                f"{name_shown}: {scroll_width}px wide in a {client_width}px viewport: {culprits}"
            )
        shoot(page, name)

    def assert_none(self) -> None:
        assert self.problems == [], "\n".join(self.problems)


def new_page(browser, device: str = "desk"):
    """A fresh context (no cookies) at phone or desk size; CSP bypassed so axe can be injected."""
    require_axe()
    phone = device == "phone"
    context = browser.new_context(
        viewport=PHONE if phone else DESK,
        is_mobile=phone,
        has_touch=phone,
        bypass_csp=True,
        accept_downloads=True,
        # No smooth scrolling: what a link scrolls to is in place at once.
        reduced_motion="reduce",
    )
    context.set_default_timeout(30_000)
    return context, context.new_page()


def article_symptoms(page) -> list[str]:
    """The symptom choices the article's form offers."""
    group = page.get_by_role("group", name=re.compile("which of these", re.I))
    return [
        label.strip()
        for label in group.get_by_role("checkbox").evaluate_all("els => els.map(e => e.labels[0].innerText)")
    ]


def fill_inquiry(page, name: str, email: str) -> None:
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_role("radio", name="Email", exact=True).check()
    page.get_by_role("group", name=re.compile("which of these", re.I)).get_by_role("checkbox").first.check()
    page.get_by_role("checkbox", name=CONSENT).check()


def send_inquiry(page, stack: Stack, name: str, email: str) -> None:
    """Open the article, fill the form, send it once, land on the thank-you page."""
    page.goto(stack.article_url)
    fill_inquiry(page, name, email)
    page.get_by_role("button", name=SEND_INQUIRY).click()
    page.wait_for_url(re.compile(r"/thanks"))


def questionnaire_link(stack: Stack, email: str) -> str:
    invitation = stack.wait_for_message(email, lambda m: "/q/" in links_text(stack, m))
    return next(link for link in links_in(invitation, stack.base_url) if "/q/" in link)


def unsubscribe_link(stack: Stack, email: str) -> str:
    message = stack.wait_for_message(email, lambda m: "/unsubscribe/" in links_text(stack, m))
    return next(link for link in links_in(message, stack.base_url) if "/unsubscribe/" in link)


def links_text(stack: Stack, message) -> str:
    return " ".join(links_in(message, stack.base_url))


def answer_questionnaire(page, red_flag: bool) -> None:
    """Tick only the first symptom (severity 6, 3 to 12 months); a red flag if asked.

    The symptoms ticked on the inquiry form come ticked; severity and duration show only for a
    ticked symptom (CSS :has()), so the only visible groups in the section are the first's."""
    symptoms = page.get_by_role("region", name="Your symptoms")
    boxes = symptoms.get_by_role("checkbox")
    for index in range(boxes.count()):
        boxes.nth(index).set_checked(index == 0)
    first = symptoms.get_by_role("group").first
    first.get_by_role("radio", name="6", exact=True).check()
    symptoms.get_by_role("radio", name="3 to 12 months").check()
    pattern = page.get_by_role("region", name="When your symptoms change").get_by_role("group")
    for index in range(pattern.count()):
        pattern.nth(index).get_by_role("radio", name="Not sure").check()
    page.get_by_role("checkbox", name="None yet").check()
    page.get_by_role("checkbox", name="None", exact=True).check()
    flags = page.get_by_role("region", name="Safety questions").get_by_role("group")
    for index in range(flags.count()):
        answer = "Yes" if red_flag and index == 0 else "No"
        flags.nth(index).get_by_role("radio", name=answer, exact=True).check()


def send_answers(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=SEND_ANSWERS).click()


def expect_focused_error_summary(page, title: re.Pattern) -> None:
    summary = page.get_by_role("alert", name=title)
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()


# What has focus, and whether it shows: an outline of 2px or more (or a box shadow) on the
# element or on its label (the questionnaire draws the ring on a radio's label).
FOCUSED = """() => {
  const e = document.activeElement;
  const ring = el => {
    const s = getComputedStyle(el);
    return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none';
  };
  return {
    tag: e.tagName.toLowerCase(), type: e.type || '', name: e.name || '', checked: !!e.checked,
    label: ((e.labels && e.labels[0] && e.labels[0].innerText) || e.innerText || '').trim().slice(0, 60),
    groupChecked: !!(e.form && e.name && e.type && [...e.form.elements].some(o => o.name === e.name && o.checked)),
    ring: e === document.body ? true : ring(e) || [...(e.labels || [])].some(ring),
  };
}"""


def complete_by_keyboard(page, typed: dict[str, str], submit: re.Pattern, limit: int = 250) -> list[str]:
    """Tab through the page; type into the fields named in `typed` (by label), tick the first
    option of every unanswered group (and so the consent box) with Space, press Enter on `submit`.
    Returns every step where the focused element showed no focus ring."""
    unringed = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if not focused["ring"]:
            unringed.append(f"{focused['tag']} {focused['label']!r}")
        if focused["tag"] == "button" and submit.search(focused["label"]):
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return unringed
        text = next((value for label, value in typed.items() if focused["label"].startswith(label)), None)
        if text is not None:
            page.keyboard.type(text)
        elif focused["type"] in {"radio", "checkbox"} and not focused["groupChecked"]:
            page.keyboard.press("Space")
    raise AssertionError(f"no {submit.pattern!r} button within {limit} presses of Tab")
