"""Symptom lists written the way the clinic writes them: under a heading, introduced in other words."""

from __future__ import annotations

import json

import pytest

from leads.articles.extract import extract
from leads.articles.importer import import_post
from leads.articles.sanitize import sanitize_html
from tests.articles.conftest import load_post
from tests.factories import SEED_PATH, SEED_SYMPTOMS

EXPECTED = {
    # "Symptoms of Sciatica", then "Patients often describe:".
    "sciatica-heading": [
        "Sharp pain down one leg",
        "Numbness or tingling in the foot",
        "Weakness when lifting the foot",
        "Pain that is worse when sitting",
    ],
    # "What Does Knee Osteoarthritis Feel Like?", the list right under it, bold terms.
    "knee-feels-like": ["Knee pain", "Stiffness", "Swelling", "Grating or clicking"],
    # "Signs and Symptoms", then a sub-heading "Early on" holding the list.
    "hip-subsection": ["Pain in the groin", "Stiffness in the morning", "A limp"],
    "no-symptom-list": [],
}


def symptoms_of(payload: dict) -> list[str]:
    return extract(sanitize_html(payload["content"]["rendered"], payload["link"])).symptoms


@pytest.mark.parametrize(("name", "expected"), EXPECTED.items())
def test_each_post_yields_its_symptom_list(name, expected):
    assert symptoms_of(load_post(name)) == expected


def test_a_list_introduced_by_a_sentence_naming_symptoms_still_comes_first():
    html = (
        "<h2>Treatment</h2><p>It relieves symptoms such as:</p><ul><li>Pain</li></ul>"
        "<h2>Symptoms</h2><ul><li>Other</li></ul>"
    )
    assert extract(html).symptoms == ["Pain"]


def test_a_list_in_a_later_section_is_not_claimed_by_an_earlier_symptoms_heading():
    html = "<h2>Symptoms</h2><p>Varied.</p><h2>Treatment options</h2><ul><li>Rest</li></ul>"
    assert extract(html).symptoms == []


def test_the_seed_keeps_its_list(app):
    assert symptoms_of(json.loads(SEED_PATH.read_text())) == SEED_SYMPTOMS


def test_import_output_says_when_no_symptom_list_is_found(runner, post_file):
    result = runner.invoke(args=["articles", "import", post_file(load_post("no-symptom-list"))])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].endswith("(created); no symptom list found: review it under Dashboard > Articles")


def test_import_output_is_plain_when_a_list_is_found(runner, post_file):
    result = runner.invoke(args=["articles", "import", post_file(load_post("sciatica-heading"))])
    assert (
        result.stdout
        == 'Imported "Stem cell therapy for sciatica" at /stem-cell-therapy-for-sciatica/ (created)\n'
    )


def test_found_symptoms_are_kept_beside_the_list_asked(app):
    article = import_post(load_post("knee-feels-like")).article
    assert article.found_symptoms == article.symptoms == EXPECTED["knee-feels-like"]
    assert article.symptoms_corrected_at is None
