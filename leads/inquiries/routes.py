"""Routes of the inquiries area."""

from flask import Blueprint

bp = Blueprint("inquiries", __name__)
