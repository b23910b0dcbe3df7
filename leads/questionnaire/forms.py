"""The questionnaire form, built from the definition in `questions.py` for one article."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, RadioField, SelectChoice, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from leads.questionnaire.questions import (
    DURATION_CHOICES,
    HOPES_MAX,
    NONE,
    SEVERITY_CHOICES,
    TREATMENT_OTHER_MAX,
    YES_NO,
    YES_NO_NOT_SURE,
    Questionnaire,
)

INVALID_CHOICE = _l("Please choose one of the options given.")
# Control characters other than tab and newlines have no place in a typed answer.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ChoiceRadio(RadioField):
    """A radio group whose emptiness is judged by its validators, not by the choice check."""

    def pre_validate(self, form) -> None:
        if self.data in (None, ""):
            return
        super().pre_validate(form)


class MultiCheckbox(SelectMultipleField):
    """Checkboxes; an unknown value gets a plain message that does not echo it."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:
        acceptable = {choice.value for choice in self.choices}
        if any(value not in acceptable for value in self.data or []):
            raise ValidationError(INVALID_CHOICE)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _no_control_characters(form, field: Field) -> None:
    if field.data and _CONTROL.search(field.data):
        raise ValidationError(_("Please use ordinary text only."))


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _radio(label: str, choices, message: str = "", required: bool = True) -> ChoiceRadio:
    validators = [InputRequired(message)] if required else []
    return ChoiceRadio(
        label, choices=_choices(choices), validators=validators, invalid_choice_message=INVALID_CHOICE
    )


class QuestionnaireForm(FlaskForm):
    """Base class; `build_form_class` adds the fields of one questionnaire."""

    questionnaire: Questionnaire

    class Meta:
        # The link's signed token is the authority (see `routes.questionnaire`).
        csrf = False

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        # Judged after dropping the details of absent symptoms: their errors no longer count.
        self._ignore_details_of_absent_symptoms()
        self._validate_dependent()
        return not self.errors

    def _ignore_details_of_absent_symptoms(self) -> None:
        """A symptom the patient does not have asks nothing more: whatever came for it is dropped."""
        for symptom in self.questionnaire.symptoms:
            if self[f"{symptom.prefix}_present"].data:
                continue
            for suffix in ("severity", "duration"):
                field = self[f"{symptom.prefix}_{suffix}"]
                field.data, field.errors = None, []

    def _validate_dependent(self) -> bool:
        """Rules across fields: severity and duration for each symptom the patient has."""
        valid = True
        for symptom in self.questionnaire.symptoms:
            if not self[f"{symptom.prefix}_present"].data:
                continue
            for suffix, message in (
                (
                    "severity",
                    _("Please choose how bad “%(symptom)s” is, from 0 to 10.", symptom=symptom.label),
                ),
                ("duration", _("Please choose how long you have had “%(symptom)s”.", symptom=symptom.label)),
            ):
                field = self[f"{symptom.prefix}_{suffix}"]
                if field.data in (None, "") and not field.errors:
                    field.errors = [*field.errors, message]
                    valid = False
        for name in ("treatments", "imaging"):
            field = self[name]
            if NONE in (field.data or []) and len(field.data) > 1 and not field.errors:
                field.errors = [*field.errors, _("“None” cannot be chosen together with other answers.")]
                valid = False
        return valid


def build_form_class(questionnaire: Questionnaire) -> type[QuestionnaireForm]:
    """A form class with the fields of `questionnaire`, named so the template can find them."""
    texts = questionnaire.texts
    fields: dict = {}
    for symptom in questionnaire.symptoms:
        label = symptom.label
        # A checkbox, pre-ticked from the inquiry form (see `service.initial_answers`).
        fields[f"{symptom.prefix}_present"] = BooleanField(label)
        fields[f"{symptom.prefix}_severity"] = _radio(
            _("%(symptom)s, severity", symptom=label), SEVERITY_CHOICES, required=False
        )
        fields[f"{symptom.prefix}_duration"] = _radio(
            _("%(symptom)s, duration", symptom=label), DURATION_CHOICES, required=False
        )
    for key, text in questionnaire.pattern:
        fields[key] = _radio(text, YES_NO_NOT_SURE, _("Please answer yes, no or not sure."))
    fields["treatments"] = MultiCheckbox(
        texts["treatments"],
        choices=_choices(questionnaire.treatments),
        validators=[InputRequired(_("Please choose the treatments you have tried, or “None yet”."))],
    )
    fields["treatments_other"] = TextAreaField(
        texts["treatments_other"],
        filters=[_strip],
        validators=[Length(max=TREATMENT_OTHER_MAX), _no_control_characters],
    )
    fields["imaging"] = MultiCheckbox(
        texts["imaging"],
        choices=_choices(questionnaire.imaging),
        validators=[InputRequired(_("Please choose the scans you have had, or “None”."))],
    )
    fields["hopes"] = TextAreaField(
        texts["hopes"], filters=[_strip], validators=[Length(max=HOPES_MAX), _no_control_characters]
    )
    for key, label in questionnaire.red_flags:
        fields[f"red_flag_{key}"] = _radio(label, YES_NO, _("Please answer yes or no."))
    fields["questionnaire"] = questionnaire
    return type("BuiltQuestionnaireForm", (QuestionnaireForm,), fields)


class UnsubscribeForm(FlaskForm):
    """Only a button. Its CSRF field is not checked: the signed link is the authority (see routes)."""
