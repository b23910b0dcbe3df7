"""The triage score, tested on its plain functions."""

from __future__ import annotations

import pytest

from leads.questionnaire import scoring


def symptom(present: bool, severity: int | None = None, duration: str | None = None) -> dict:
    return {"label": "x", "present": present, "severity": severity, "duration": duration}


def test_symptom_points_scale_with_the_number_of_symptoms_asked():
    assert scoring.symptom_points([symptom(True, 10)] * 5) == 40
    assert scoring.symptom_points([symptom(True, 10)] * 3) == 40
    assert scoring.symptom_points([symptom(True, 5), symptom(False)]) == 10
    assert scoring.symptom_points([]) == 0


def test_absent_symptoms_count_nothing_even_with_a_severity():
    assert scoring.symptom_points([symptom(False, 10)]) == 0
    assert scoring.duration_points([symptom(False, 10, "gt_1y")]) == 0


@pytest.mark.parametrize(
    ("worse", "eased", "points"),
    [
        ("yes", "yes", 25),  # neurogenic claudication
        ("yes", "no", 10),
        ("no", "yes", 10),
        ("not_sure", "not_sure", 6),
        ("no", "no", 0),
    ],
)
def test_pattern_points(worse, eased, points):
    assert scoring.pattern_points({"worse_walking_standing": worse, "eased_sitting_bending": eased}) == points


def test_duration_is_the_longest_present_symptom():
    assert scoring.duration_points([symptom(True, 1, "lt_6w"), symptom(True, 1, "3m_12m")]) == 10
    assert scoring.duration_points([symptom(True, 1, "gt_1y")]) == 15


def test_treatments_and_imaging():
    assert scoring.treatment_points(["none"]) == 0
    assert scoring.treatment_points(["physical_therapy"]) == 3
    assert scoring.treatment_points(["a", "b", "c", "d", "e"]) == 10
    assert scoring.imaging_points(["xray"]) == 5
    assert scoring.imaging_points(["xray", "mri"]) == 10
    assert scoring.imaging_points(["none"]) == 0


def test_score_is_bounded_0_to_100():
    worst = {
        "symptoms": [symptom(True, 10, "gt_1y")] * 5,
        "pattern": {"worse_walking_standing": "yes", "eased_sitting_bending": "yes"},
        "treatments": ["physical_therapy", "pain_medication", "injections", "surgery"],
        "imaging": ["mri", "ct"],
    }
    assert scoring.score(worst) == 100
    assert scoring.score({}) == 0
    assert scoring.score({"symptoms": [symptom(False)] * 5, "treatments": ["none"], "imaging": ["none"]}) == 0


def test_red_flags_are_the_yes_answers():
    answers = {"red_flags": {"bladder_bowel": False, "saddle_numbness": True, "fall_injury": True}}
    assert scoring.red_flags(answers) == ["saddle_numbness", "fall_injury"]
    assert scoring.red_flags({"red_flags": {"bladder_bowel": False}}) == []
