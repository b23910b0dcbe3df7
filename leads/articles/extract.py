"""Read the table of contents, the symptom list and the FAQ out of a sanitized article body."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, NavigableString, Tag

from leads.articles.sanitize import HEADINGS, text_of

# Arabic joins prefixes to the word ("والأعراض", "بأعراض", "أعراضها"), so the stems match
# inside words: "أعراض"/"اعراض" (symptoms), "علامات" (signs).
_ARABIC_SYMPTOMS = r"[أا]عراض|علامات"
# "…leading to symptoms such as:", "Common signs include:", "you may notice these symptoms:",
# "تشمل الأعراض الشائعة ما يلي:"
SYMPTOM_INTRO = re.compile(rf"\b(symptoms?|signs?)\b|{_ARABIC_SYMPTOMS}", re.IGNORECASE)
# "Symptoms", "Signs and symptoms of sciatica", "Warning signs", "What does knee arthritis feel like?",
# "أعراض تضيق القناة الشوكية"
SYMPTOM_HEADING = re.compile(rf"\b(symptoms?|signs?)\b|\bfeels?\s+like\b|{_ARABIC_SYMPTOMS}", re.IGNORECASE)
# "Frequently Asked Questions", "FAQ", "الأسئلة الشائعة", "أسئلة متكررة"
FAQ_HEADING = re.compile(
    r"frequently\s+asked\s+questions|\bfaqs?\b|[أا]سئلة\s+(?:ال)?(?:شائعة|متكررة)", re.IGNORECASE
)
# The question marks of the languages imported: "?" and the Arabic "؟".
QUESTION_MARKS = ("?", "\u061f")
LISTS = ("ul", "ol")
# "Term: explanation" or "Term - explanation" (or an en/em dash) after a bold term.
_TERM_SEPARATOR = re.compile(r"^\s*[:\u2013\u2014-]")


@dataclass
class Extracted:
    toc: list[dict] = field(default_factory=list)
    symptoms: list[str] = field(default_factory=list)
    faqs: list[dict] = field(default_factory=list)


def extract(html: str) -> Extracted:
    """Everything the page and the form need, read once from the stored HTML."""
    soup = BeautifulSoup(html, "html.parser")
    return Extracted(toc=extract_toc(soup), symptoms=extract_symptoms(soup), faqs=extract_faqs(soup))


def extract_toc(soup: BeautifulSoup) -> list[dict]:
    return [
        {"id": h["id"], "title": text_of(h), "level": _level(h)}
        for h in soup.find_all(HEADINGS)
        if h.get("id") and text_of(h)
    ]


def extract_symptoms(soup: BeautifulSoup) -> list[str]:
    """Items of the first list placed right after a paragraph that names symptoms or signs; else
    of the first list in a section whose heading names them, however the list is introduced."""
    lists = soup.find_all(LISTS)
    found = next((tag for tag in lists if _introduced_as_symptoms(tag)), None)
    if found is None:
        found = next((tag for tag in lists if _under_symptom_heading(tag)), None)
    if found is None:
        return []
    items = [_item_label(li) for li in found.find_all("li", recursive=False)]
    return list(dict.fromkeys(item for item in items if item))


def _introduced_as_symptoms(list_tag: Tag) -> bool:
    intro = _previous_element(list_tag)
    return intro is not None and intro.name == "p" and bool(SYMPTOM_INTRO.search(text_of(intro)))


def _under_symptom_heading(list_tag: Tag) -> bool:
    """Whether a heading of a section the list sits in (its own, or an enclosing one) names symptoms."""
    level = 7  # deeper than any heading
    for heading in list_tag.find_all_previous(HEADINGS):
        if _level(heading) >= level:
            continue  # a sibling section's heading, not one that encloses the list
        if SYMPTOM_HEADING.search(text_of(heading)) and not FAQ_HEADING.search(text_of(heading)):
            return True
        level = _level(heading)
    return False


def extract_faqs(soup: BeautifulSoup) -> list[dict]:
    """Question/answer pairs from the section under the first "Frequently Asked Questions" heading."""
    heading = next((h for h in soup.find_all(HEADINGS) if FAQ_HEADING.search(text_of(h))), None)
    if heading is None:
        return []
    blocks = []
    for sibling in heading.find_next_siblings():
        if sibling.name in HEADINGS and _level(sibling) <= _level(heading):
            break
        blocks.append(sibling)
    return _pairs(blocks)


def _pairs(blocks: list[Tag]) -> list[dict]:
    """Two shapes: a list of `<strong>Q</strong><br>A` items, or a question block (sub-heading or a
    paragraph that is only a bold question) followed by answer blocks."""
    pairs: list[dict] = []
    question, answer = "", []

    def close() -> None:
        if question and answer:
            pairs.append({"question": question, "answer": "\n\n".join(answer)})

    for block in blocks:
        if block.name in HEADINGS or _is_bold_question(block):
            close()
            question, answer = text_of(block), []
        elif question:
            if text := text_of(block):
                answer.append(text)
        elif block.name in LISTS:
            pairs.extend(_list_pairs(block))
    close()
    return pairs


def _list_pairs(list_tag: Tag) -> list[dict]:
    pairs = []
    for li in list_tag.find_all("li", recursive=False):
        bold = li.find(["strong", "b"])
        if bold is not None:
            question = text_of(bold)
            rest = (s for s in li.find_all(string=True) if bold not in s.parents)
            answer = " ".join(" ".join(rest).split())
        else:
            text = text_of(li)
            end = min((text.find(mark) for mark in QUESTION_MARKS if mark in text), default=-1)
            question, answer = (text[: end + 1], text[end + 1 :]) if end >= 0 else (f"{text}?", "")
        answer = _TERM_SEPARATOR.sub("", answer).strip()
        if question.strip("?\u061f ") and answer:
            pairs.append({"question": question, "answer": answer})
    return pairs


def _is_bold_question(block: Tag) -> bool:
    if block.name != "p":
        return False
    bold = block.find(["strong", "b"])
    return bold is not None and text_of(bold) == text_of(block) and text_of(block).endswith(QUESTION_MARKS)


def _item_label(li: Tag) -> str:
    """The item's own text (not nested lists'); for "**Term**: explanation" just the term."""
    own = " ".join(" ".join(s for s in li.find_all(string=True) if s.find_parent(LISTS) is li.parent).split())
    first = _first_element(li)
    if first is not None and first.name == "p":
        first = _first_element(first)
    if first is not None and first.name in ("strong", "b"):
        after = own[len(text_of(first)) :]
        if own.startswith(text_of(first)) and _TERM_SEPARATOR.match(after):
            return text_of(first)
    return own


def _first_element(node: Tag) -> Tag | None:
    for child in node.children:
        if isinstance(child, Tag):
            return child
        if isinstance(child, NavigableString) and child.strip():
            return None
    return None


def _previous_element(node: Tag) -> Tag | None:
    sibling = node.previous_sibling
    while sibling is not None:
        if isinstance(sibling, Tag):
            return sibling
        if sibling.strip():
            return None  # loose text sits between the paragraph and the list
        sibling = sibling.previous_sibling
    return None


def _level(heading: Tag) -> int:
    return int(heading.name[1])
