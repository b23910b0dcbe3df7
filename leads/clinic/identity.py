"""The clinic's identity as pages and emails show it, from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from leads import links

PRIVACY_PATH = "/privacy/"


@dataclass(frozen=True)
class Clinic:
    name: str
    address_lines: list[str]
    phone: str
    # Absolute in emails, as given (or /privacy/) on pages; None while no notice is set (local runs).
    privacy_url: str | None


def clinic(absolute: bool = False) -> Clinic:
    """The clinic's details; `absolute` for emails, which have no page to be relative to."""
    config = current_app.config
    privacy = config["PRIVACY_NOTICE_URL"] or None
    if privacy is None and config["PRIVACY_NOTICE_FILE"]:
        privacy = links.base_url() + PRIVACY_PATH if absolute else PRIVACY_PATH
    return Clinic(
        name=config["CLINIC_NAME"],
        # One setting, lines separated by ";" or "\n" (an environment variable is one line).
        address_lines=[
            line.strip() for line in config["CLINIC_ADDRESS"].replace("\n", ";").split(";") if line.strip()
        ],
        phone=config["CLINIC_PHONE"],
        privacy_url=privacy,
    )


def privacy_paragraphs() -> list[str] | None:
    """The privacy notice from PRIVACY_NOTICE_FILE (plain text, blank lines between paragraphs)."""
    path = current_app.config["PRIVACY_NOTICE_FILE"]
    if not path:
        return None
    text = Path(path).read_text(encoding="utf-8")
    return [" ".join(block.split()) for block in text.split("\n\n") if block.strip()]
