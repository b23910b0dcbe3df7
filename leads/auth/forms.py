"""Forms of the auth and admin pages (all CSRF-protected through Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from leads.auth.passwords import MAX_LENGTH, MIN_LENGTH
from leads.models import Role


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=MAX_LENGTH)])
    new_password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        description=f"At least {MIN_LENGTH} characters. A few unrelated words make a good one.",
    )
    confirm_password = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("new_password", message="The two new passwords differ.")],
    )


class AddUserForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=320)])
    full_name = StringField("Name", validators=[Length(max=200)])
    role = SelectField(
        "Role",
        choices=[
            SelectChoice(Role.COORDINATOR.value, "Coordinator"),
            SelectChoice(Role.ADMIN.value, "Admin"),
        ],
        default=Role.COORDINATOR.value,
    )


class ActionForm(FlaskForm):
    """A button-only form: it carries just the CSRF token."""
