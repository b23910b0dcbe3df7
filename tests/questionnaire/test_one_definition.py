"""One place for each fact: the red-flag wording and the patient email kinds are defined once."""

from __future__ import annotations

import importlib

import pytest

from leads.dashboard.lead_detail import response_view
from leads.dashboard.timeline import _event_lines
from leads.models import LeadEvent, QuestionnaireResponse
from leads.models.outbox import PATIENT_KINDS
from leads.questionnaire import conditions, questions
from leads.questionnaire.conditions import RedFlag
from leads.timeline import EventKind
from tests.questionnaire.conftest import change_profile

REWORDED = (RedFlag("bladder_bowel", "Reworded: bladder or bowel", "a source"),)


def test_a_reworded_red_flag_reads_the_same_on_the_lead_page_the_timeline_and_the_alert(monkeypatch):
    """Before, each reader kept its own copy of the labels, taken when it was imported."""
    change_profile(monkeypatch, conditions.STENOSIS, red_flags=REWORDED)
    response = QuestionnaireResponse(answers={}, red_flags=["bladder_bowel"])
    assert response_view(response).red_flags == ["Reworded: bladder or bowel"]
    event = LeadEvent(kind=EventKind.RED_FLAG, data={"flags": ["bladder_bowel"]})
    assert _event_lines(event, {}) == ["Reworded: bladder or bowel"]
    assert questions.red_flag_label("bladder_bowel") == "Reworded: bladder or bowel"
    assert questions.red_flag_label("unknown_key") == "unknown_key"


@pytest.mark.parametrize(
    "module",
    ["leads.mail.render", "leads.mail.rules", "leads.questionnaire.unsubscribe", "leads.dashboard.actions"],
)
def test_every_reader_of_the_patient_kinds_uses_the_one_definition(module):
    assert importlib.import_module(module).PATIENT_KINDS is PATIENT_KINDS
