"""The evaluation questionnaire, defined as data.

The form, the scoring and the stored snapshot are all built from this one
definition. Change a question here and bump VERSION: answers already stored keep
the version and the wording they were given with (see `service.snapshot`), so
old answers still read correctly after the questions change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

VERSION = "2026-11-v1"

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

# The red-flag screen: any "yes" means the patient may need emergency care now.
RED_FLAGS = (
    ("bladder_bowel", "New trouble controlling your bladder or bowel"),
    ("saddle_numbness", "Numbness in the groin or saddle area (where you would sit on a saddle)"),
    ("rapid_weakness", "Leg weakness that is getting worse quickly"),
    ("fever_weight_loss", "Fever or unexplained weight loss together with back pain"),
    ("fall_injury", "A recent fall or injury to your back"),
)


@dataclass(frozen=True)
class SymptomQuestion:
    """The three questions asked for one symptom of the article."""

    index: int
    label: str

    @property
    def prefix(self) -> str:
        return f"symptom_{self.index}"


@dataclass(frozen=True)
class Questionnaire:
    version: str
    symptoms: tuple[SymptomQuestion, ...]
    pattern: tuple[tuple[str, str], ...] = (
        ("worse_walking_standing", "Are your symptoms worse when you walk or stand?"),
        ("eased_sitting_bending", "Do they ease when you sit down or bend forward?"),
    )
    red_flags: tuple[tuple[str, str], ...] = RED_FLAGS
    treatments: tuple[tuple[str, str], ...] = TREATMENT_CHOICES
    imaging: tuple[tuple[str, str], ...] = IMAGING_CHOICES
    texts: dict[str, str] = field(
        default_factory=lambda: {
            "symptom_present": "Do you have this?",
            "symptom_severity": "How bad is it at its worst, from 0 (none) to 10 (the worst you can imagine)?",
            "symptom_duration": "How long have you had it?",
            "treatments": "Which treatments have you already tried?",
            "treatments_other": "Other treatments (optional)",
            "imaging": "Which scans have you had of your back?",
            "hopes": "What do you hope a treatment will change for you? (optional)",
            "red_flags": "Do you have any of these right now?",
        }
    )


def build_questionnaire(symptom_labels: list[str] | tuple[str, ...]) -> Questionnaire:
    """The questionnaire for an article: one group of questions per symptom it lists."""
    labels = [label.strip() for label in symptom_labels if isinstance(label, str) and label.strip()]
    return Questionnaire(
        version=VERSION,
        symptoms=tuple(SymptomQuestion(index, label) for index, label in enumerate(labels)),
    )


def choice_label(choices: tuple[tuple[str, str], ...], value: str) -> str:
    return dict(choices).get(value, value)


def red_flag_label(key: str) -> str:
    """The screen's wording of a red flag: what the patient answered "yes" to. The one lookup."""
    return choice_label(RED_FLAGS, str(key))
