"""#13: one stylesheet serves both directions, so the patient pages' CSS uses logical properties only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[2] / "static" / "css"
# margin-left, padding-right, border-left(-width...), left:, right:, float: left, text-align: right...
PHYSICAL = re.compile(
    r"(?<![\w-])(?:(?:margin|padding|border)-(?:left|right)[\w-]*|left|right)\s*:"
    r"|(?:float|clear|text-align)\s*:\s*(?:left|right)\b"
)


@pytest.mark.parametrize("name", ["site.css", "article.css", "questionnaire.css"])
def test_patient_stylesheets_use_logical_properties(name):
    css = re.sub(r"/\*.*?\*/", "", (CSS / name).read_text(), flags=re.DOTALL)
    assert PHYSICAL.findall(css) == []


def test_the_check_sees_physical_properties():
    found = PHYSICAL.findall(".a { margin-left: 0; left: 1px; text-align: right; inset-inline-start: 0 }")
    assert found == ["margin-left:", "left:", "text-align: right"]


def test_arabic_pages_get_an_arabic_font_stack():
    css = (CSS / "site.css").read_text()
    assert re.search(r":root:lang\(ar\)\s*\{\s*--font:\s*\"Noto Sans Arabic\"", css)
