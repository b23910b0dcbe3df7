"""Routes of the questionnaire area."""

from flask import Blueprint

bp = Blueprint("questionnaire", __name__)
