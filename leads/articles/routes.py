"""Routes of the articles area."""

from flask import Blueprint

bp = Blueprint("articles", __name__)
