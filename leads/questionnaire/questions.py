"""The evaluation questionnaire, defined as data.

The form, the scoring and the stored snapshot are all built from this one
definition: the questions every condition shares live here, and what differs by
condition (pattern questions, red flags, weights, version) lives in the reviewed
profile files (see `conditions.py`). Change a profile and bump its version:
answers already stored keep the version and the wording they were given with
(see `service.snapshot`), so old answers still read correctly after a change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from leads.questionnaire import conditions
from leads.questionnaire.conditions import Profile

YES, NO, NOT_SURE = "yes", "no", "not_sure"
YES_NO = ((YES, "Yes"), (NO, "No"))
YES_NO_NOT_SURE = ((YES, "Yes"), (NO, "No"), (NOT_SURE, "Not sure"))

SEVERITY_MIN, SEVERITY_MAX = 0, 10
SEVERITY_CHOICES = tuple((str(n), str(n)) for n in range(SEVERITY_MIN, SEVERITY_MAX + 1))

DURATION_CHOICES = (
    ("lt_6w", "Less than 6 weeks"),
    ("6w_3m", "6 weeks to 3 months"),
    ("3m_12m", "3 to 12 months"),
    ("gt_1y", "More than a year"),
)

NONE = "none"
OTHER = "other"
TREATMENT_CHOICES = (
    ("physical_therapy", "Physical therapy"),
    ("pain_medication", "Pain medication"),
    ("injections", "Injections"),
    ("surgery", "Surgery"),
    ("chiropractic", "Chiropractic care"),
    (NONE, "None yet"),
    (OTHER, "Something else"),
)
TREATMENT_OTHER_MAX = 500

IMAGING_CHOICES = (
    ("mri", "MRI"),
    ("ct", "CT scan"),
    ("xray", "X-ray"),
    (NONE, "None"),
)

HOPES_MAX = 1000


@dataclass(frozen=True)
class SymptomQuestion:
    """The three questions asked for one symptom of the article."""

    index: int
    label: str

    @property
    def prefix(self) -> str:
        return f"symptom_{self.index}"


DEFAULT_TEXTS = {
    "symptom_present": "Do you have this?",
    "symptom_severity": "How bad is it at its worst, from 0 (none) to 10 (the worst you can imagine)?",
    "symptom_duration": "How long have you had it?",
    "treatments": "Which treatments have you already tried?",
    "treatments_other": "Other treatments (optional)",
    "imaging": "Which scans have you had?",
    "hopes": "What do you hope a treatment will change for you? (optional)",
    "red_flags": "Do you have any of these right now?",
}


@dataclass(frozen=True)
class Questionnaire:
    profile: Profile
    symptoms: tuple[SymptomQuestion, ...]
    treatments: tuple[tuple[str, str], ...] = TREATMENT_CHOICES
    imaging: tuple[tuple[str, str], ...] = IMAGING_CHOICES
    texts: dict[str, str] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.profile.version

    @property
    def pattern(self) -> tuple[tuple[str, str], ...]:
        return tuple((question.key, question.text) for question in self.profile.pattern)

    @property
    def red_flags(self) -> tuple[tuple[str, str], ...]:
        return tuple((flag.key, flag.label) for flag in self.profile.red_flags)


def build_questionnaire(
    symptom_labels: list[str] | tuple[str, ...], profile_key: str = conditions.STENOSIS
) -> Questionnaire:
    """The questionnaire for an article: one group of questions per symptom it lists, its profile's others."""
    labels = [label.strip() for label in symptom_labels if isinstance(label, str) and label.strip()]
    profile = conditions.get(profile_key) or conditions.get(conditions.GENERIC)
    return Questionnaire(
        profile=profile,
        symptoms=tuple(SymptomQuestion(index, label) for index, label in enumerate(labels)),
        texts={**DEFAULT_TEXTS, **profile.texts},
    )


def choice_label(choices: tuple[tuple[str, str], ...], value: str) -> str:
    return dict(choices).get(value, value)


def red_flag_label(key: str, profile_key: str | None = None) -> str:
    """The screen's wording of a red flag: what the patient answered "yes" to. The one lookup.

    Answers stored before profiles existed name none: they were asked the stenosis screen.
    """
    profile = conditions.get(profile_key or conditions.STENOSIS)
    flag = profile.red_flag(str(key)) if profile else None
    return flag.label if flag else str(key)
