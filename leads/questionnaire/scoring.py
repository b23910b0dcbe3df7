"""Triage score of a questionnaire answer: plain functions over the stored answers.

The score (0..100) orders leads for a coordinator; it is not a diagnosis. It adds:

- **Symptom burden, up to 40**: the severities (0..10) of the symptoms the patient
  has, summed and scaled by the number of symptoms asked, so an article with five
  symptoms and one with three score on the same scale.
- **Stenosis pattern, up to 25**: neurogenic claudication (worse when walking or
  standing AND eased by sitting or bending forward) is the typical picture of
  spinal stenosis: 10 for each "yes", 5 more when both are "yes"; "not sure" gives 3.
- **Duration, up to 15**: the longest duration among the symptoms the patient has
  (under 6 weeks 0, up to 3 months 5, up to a year 10, longer 15): symptoms past
  the usual window of conservative care make a better candidate.
- **Treatments tried, up to 10**: 3 per treatment already tried ("none" gives 0).
- **Imaging, up to 10**: an MRI or CT 10, an X-ray only 5, none 0: a lead with
  imaging can be assessed sooner.

Red flags do not change the score: any of them makes the lead urgent, which sorts
above every score (see `red_flags`).
"""

from __future__ import annotations

from collections.abc import Mapping

from leads.questionnaire.questions import NONE, NOT_SURE, SEVERITY_MAX, YES

SCORE_MAX = 100
SYMPTOM_MAX = 40
PATTERN_POINTS = {YES: 10, NOT_SURE: 3}
PATTERN_BOTH_BONUS = 5
DURATION_POINTS = {"lt_6w": 0, "6w_3m": 5, "3m_12m": 10, "gt_1y": 15}
TREATMENT_EACH, TREATMENT_MAX = 3, 10
IMAGING_POINTS = {"mri": 10, "ct": 10, "xray": 5}


def _present(symptoms: list[Mapping]) -> list[Mapping]:
    return [item for item in symptoms if item.get("present")]


def symptom_points(symptoms: list[Mapping]) -> int:
    if not symptoms:
        return 0
    total = sum(int(item.get("severity") or 0) for item in _present(symptoms))
    return round(SYMPTOM_MAX * total / (SEVERITY_MAX * len(symptoms)))


def pattern_points(pattern: Mapping[str, str]) -> int:
    worse = pattern.get("worse_walking_standing")
    eased = pattern.get("eased_sitting_bending")
    points = PATTERN_POINTS.get(worse, 0) + PATTERN_POINTS.get(eased, 0)
    if worse == YES and eased == YES:
        points += PATTERN_BOTH_BONUS
    return points


def duration_points(symptoms: list[Mapping]) -> int:
    return max((DURATION_POINTS.get(item.get("duration"), 0) for item in _present(symptoms)), default=0)


def treatment_points(treatments: list[str]) -> int:
    tried = [item for item in treatments if item != NONE]
    return min(TREATMENT_MAX, TREATMENT_EACH * len(tried))


def imaging_points(imaging: list[str]) -> int:
    return max((IMAGING_POINTS.get(item, 0) for item in imaging), default=0)


def score(answers: Mapping) -> int:
    """The triage score, 0..100, of answers shaped like `service.answers_from_form` makes them."""
    symptoms = list(answers.get("symptoms", []))
    total = (
        symptom_points(symptoms)
        + pattern_points(answers.get("pattern", {}))
        + duration_points(symptoms)
        + treatment_points(list(answers.get("treatments", [])))
        + imaging_points(list(answers.get("imaging", [])))
    )
    return max(0, min(SCORE_MAX, total))


def red_flags(answers: Mapping) -> list[str]:
    """The red-flag keys answered "yes", in the order they were asked."""
    return [key for key, answer in answers.get("red_flags", {}).items() if answer is True]
