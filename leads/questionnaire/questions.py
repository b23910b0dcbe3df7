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

from flask_babel import lazy_gettext as _l

from leads.questionnaire import conditions
from leads.questionnaire.conditions import Profile

YES, NO, NOT_SURE = "yes", "no", "not_sure"
# Lazy: each is worded in the language of the page (or email) that shows it.
YES_NO = ((YES, _l("Yes")), (NO, _l("No")))
YES_NO_NOT_SURE = ((YES, _l("Yes")), (NO, _l("No")), (NOT_SURE, _l("Not sure")))

SEVERITY_MIN, SEVERITY_MAX = 0, 10
SEVERITY_CHOICES = tuple((str(n), str(n)) for n in range(SEVERITY_MIN, SEVERITY_MAX + 1))

DURATION_CHOICES = (
    ("lt_6w", _l("Less than 6 weeks")),
    ("6w_3m", _l("6 weeks to 3 months")),
    ("3m_12m", _l("3 to 12 months")),
    ("gt_1y", _l("More than a year")),
)

NONE = "none"
OTHER = "other"
TREATMENT_CHOICES = (
    ("physical_therapy", _l("Physical therapy")),
    ("pain_medication", _l("Pain medication")),
    ("injections", _l("Injections")),
    ("surgery", _l("Surgery")),
    ("chiropractic", _l("Chiropractic care")),
    (NONE, _l("None yet")),
    (OTHER, _l("Something else")),
)
TREATMENT_OTHER_MAX = 500

IMAGING_CHOICES = (
    ("mri", _l("MRI")),
    ("ct", _l("CT scan")),
    ("xray", _l("X-ray")),
    (NONE, _l("None")),
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
    "symptom_present": _l("Do you have this?"),
    "symptom_severity": _l("How bad is it at its worst, from 0 (none) to 10 (the worst you can imagine)?"),
    "symptom_duration": _l("How long have you had it?"),
    "treatments": _l("Which treatments have you already tried?"),
    "treatments_other": _l("Other treatments (optional)"),
    "imaging": _l("Which scans have you had?"),
    "hopes": _l("What do you hope a treatment will change for you? (optional)"),
    "red_flags": _l("Do you have any of these right now?"),
}


@dataclass(frozen=True)
class Questionnaire:
    profile: Profile
    symptoms: tuple[SymptomQuestion, ...]
    treatments: tuple[tuple[str, str], ...] = TREATMENT_CHOICES
    imaging: tuple[tuple[str, str], ...] = IMAGING_CHOICES
    texts: dict[str, str] = field(default_factory=dict)
    # The language the profile's reviewed texts are given in (their translations); None: English.
    language: str | None = None

    @property
    def version(self) -> str:
        return self.profile.version

    @property
    def pattern(self) -> tuple[tuple[str, str], ...]:
        return tuple(
            (question.key, self.profile.text(question.key, question.text, self.language))
            for question in self.profile.pattern
        )

    @property
    def red_flags(self) -> tuple[tuple[str, str], ...]:
        return tuple(
            (flag.key, self.profile.text(flag.key, flag.label, self.language))
            for flag in self.profile.red_flags
        )


def build_questionnaire(
    symptom_labels: list[str] | tuple[str, ...],
    profile_key: str = conditions.STENOSIS,
    language: str | None = None,
) -> Questionnaire:
    """The questionnaire for an article: one group of questions per symptom it lists, its profile's others."""
    labels = [label.strip() for label in symptom_labels if isinstance(label, str) and label.strip()]
    profile = conditions.get(profile_key) or conditions.get(conditions.GENERIC)
    return Questionnaire(
        profile=profile,
        symptoms=tuple(SymptomQuestion(index, label) for index, label in enumerate(labels)),
        texts={
            **DEFAULT_TEXTS,
            **{key: profile.text(key, text, language) for key, text in profile.texts.items()},
        },
        language=language,
    )


def choice_label(choices: tuple[tuple[str, str], ...], value: str) -> str:
    return str(dict(choices).get(value, value))


def red_flag_label(key: str, profile_key: str | None = None, language: str | None = None) -> str:
    """The screen's wording of a red flag: what the patient answered "yes" to. The one lookup.

    Answers stored before profiles existed name none: they were asked the stenosis screen.
    """
    profile = conditions.get(profile_key or conditions.STENOSIS)
    flag = profile.red_flag(str(key)) if profile else None
    return profile.text(flag.key, flag.label, language) if flag else str(key)
