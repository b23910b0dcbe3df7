"""The compose box and the saved-reply editor. Each carries its CSRF token; the services re-check."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from leads.conversations.compose import BODY_MAX, SUBJECT_MAX
from leads.conversations.snippets import TITLE_MAX


class ComposeForm(FlaskForm):
    subject = StringField("Subject", validators=[DataRequired(), Length(max=SUBJECT_MAX)])
    body = TextAreaField("Message", validators=[DataRequired(), Length(max=BODY_MAX)])
    health_confirmed = BooleanField("Send it with these health details")


class ReplyForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=TITLE_MAX)])
    subject = StringField("Subject", validators=[DataRequired(), Length(max=SUBJECT_MAX)])
    body = TextAreaField("Body", validators=[DataRequired(), Length(max=BODY_MAX)])
