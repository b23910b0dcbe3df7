"""Forms of the article review pages (CSRF-protected through Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length

from leads.questionnaire import conditions

AUTOMATIC = ""


class SymptomsForm(FlaskForm):
    symptoms = TextAreaField(
        "Symptoms, one a line",
        validators=[Length(max=8000)],
        description="The questionnaire asks about each one, in this order. An empty list asks none.",
    )


class ProfileForm(FlaskForm):
    profile = SelectField("Questionnaire profile", validate_choice=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.profile.choices = [(AUTOMATIC, "Automatic: from the WordPress category, else general")]
        self.profile.choices += conditions.choices()


class ButtonForm(FlaskForm):
    """A button-only form: it carries just the CSRF token."""
