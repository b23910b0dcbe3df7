"""Triage score of a questionnaire answer: plain functions over the stored answers.

The score (0..100) orders leads for a coordinator; it is not a diagnosis. Every profile
scores the same five components, with its own weights (`profiles/*.yaml`, checked to
add up to 100), so a score means the same across conditions:

- **Symptom burden**: the severities (0..10) of the symptoms the patient has, summed
  and scaled by the number of symptoms asked, so an article with five symptoms and
  one with three score on the same scale.
- **Pattern**: the condition's typical picture (for spinal stenosis, neurogenic
  claudication: worse when walking or standing AND eased by sitting or bending
  forward): points per answer, and a bonus when the key answers are all "yes".
  The generic profile asks no pattern questions and gives its points elsewhere.
- **Duration**: the longest duration among the symptoms the patient has: symptoms
  past the usual window of conservative care make a better candidate.
- **Treatments tried**: points per treatment already tried ("none" gives 0), capped.
- **Imaging**: the best scan the patient has had: a lead with imaging can be assessed sooner.

Red flags do not change the score: any of them makes the lead urgent, which sorts
above every score (see `red_flags`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

from leads.questionnaire import conditions
from leads.questionnaire.conditions import Profile
from leads.questionnaire.questions import NONE, SEVERITY_MAX, YES

SCORE_MAX = conditions.SCORE_MAX


@dataclass(frozen=True)
class Component:
    """One part of the score, as the lead page shows it: why a lead ranks where it does."""

    key: str
    label: str
    points: int
    max: int

    def as_dict(self) -> dict:
        return asdict(self)


def _present(symptoms: list[Mapping]) -> list[Mapping]:
    return [item for item in symptoms if item.get("present")]


def symptom_points(symptoms: list[Mapping], maximum: int = 40) -> int:
    if not symptoms:
        return 0
    total = sum(int(item.get("severity") or 0) for item in _present(symptoms))
    return round(maximum * total / (SEVERITY_MAX * len(symptoms)))


def pattern_points(pattern: Mapping[str, str], profile: Profile | None = None) -> int:
    profile = profile or conditions.get(conditions.STENOSIS)
    points = sum(question.points.get(pattern.get(question.key), 0) for question in profile.pattern)
    if profile.bonus_keys and all(pattern.get(key) == YES for key in profile.bonus_keys):
        points += profile.bonus_points
    return points


def duration_points(symptoms: list[Mapping], profile: Profile | None = None) -> int:
    weights = (profile or conditions.get(conditions.STENOSIS)).weights.duration
    return max((weights.get(item.get("duration"), 0) for item in _present(symptoms)), default=0)


def treatment_points(treatments: list[str], profile: Profile | None = None) -> int:
    weights = (profile or conditions.get(conditions.STENOSIS)).weights
    tried = [item for item in treatments if item != NONE]
    return min(weights.treatment_max, weights.treatment_each * len(tried))


def imaging_points(imaging: list[str], profile: Profile | None = None) -> int:
    weights = (profile or conditions.get(conditions.STENOSIS)).weights.imaging
    return max((weights.get(item, 0) for item in imaging), default=0)


def components(answers: Mapping, profile: Profile | None = None) -> list[Component]:
    """The score's parts for answers shaped like `service.answers_from_form` makes them.

    Without a profile, the stenosis one: answers stored before profiles existed were asked it.
    """
    profile = profile or conditions.get(conditions.STENOSIS)
    weights = profile.weights
    symptoms = list(answers.get("symptoms", []))
    parts = [
        Component("symptoms", "Symptom burden", symptom_points(symptoms, weights.symptoms), weights.symptoms),
        Component(
            "pattern",
            profile.pattern_title,
            pattern_points(answers.get("pattern", {}), profile),
            profile.pattern_max,
        ),
        Component("duration", "Duration", duration_points(symptoms, profile), max(weights.duration.values())),
        Component(
            "treatments",
            "Treatments tried",
            treatment_points(list(answers.get("treatments", [])), profile),
            weights.treatment_max,
        ),
        Component(
            "imaging",
            "Imaging",
            imaging_points(list(answers.get("imaging", [])), profile),
            max(weights.imaging.values(), default=0),
        ),
    ]
    return [part for part in parts if part.max > 0]


def score(answers: Mapping, profile: Profile | None = None) -> int:
    """The triage score, 0..100: the sum of the components."""
    total = sum(part.points for part in components(answers, profile))
    return max(0, min(SCORE_MAX, total))


def red_flags(answers: Mapping) -> list[str]:
    """The red-flag keys answered "yes", in the order they were asked."""
    return [key for key, answer in answers.get("red_flags", {}).items() if answer is True]
