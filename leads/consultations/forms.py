"""Booking forms. Each carries its CSRF token; the booking functions re-check every rule."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField, TimeField
from wtforms.validators import InputRequired, Length, NumberRange


class RescheduleForm(FlaskForm):
    day = DateField("Date (clinic time)", validators=[InputRequired()])
    at = TimeField("Time (clinic time)", validators=[InputRequired()])
    minutes = IntegerField("Length (minutes)", validators=[InputRequired(), NumberRange(min=1, max=600)])


class BookForm(RescheduleForm):
    place = StringField("Place", validators=[InputRequired(), Length(max=16)])
    coordinator = IntegerField("Coordinator", validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)])
