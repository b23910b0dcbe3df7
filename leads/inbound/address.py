"""The per-lead reply address: replies+<lead id>-<signature>@REPLY_DOMAIN.

Lower-case hex only: mail servers may change the case of the local part. The signature is an HMAC
of the lead id under the app's signing keys, so an address cannot be made up for another lead."""

from __future__ import annotations

import hashlib
import hmac
import re

from flask import current_app

from leads.signing import signing_keys

_TOKEN = re.compile(r"replies\+([0-9]{1,11})-([0-9a-f]{20})@", re.IGNORECASE)


def _signature(lead_id: int, key: str) -> str:
    return hmac.new(key.encode(), f"reply-to:{lead_id}".encode(), hashlib.sha256).hexdigest()[:20]


def reply_address(lead_id: int) -> str | None:
    domain = current_app.config["REPLY_DOMAIN"]
    if not domain:
        return None
    return f"replies+{lead_id}-{_signature(lead_id, current_app.config['SECRET_KEY'])}@{domain}"


def lead_from_addresses(addresses: list[str]) -> int | None:
    """The lead id of the first genuine reply address among `addresses`; a forged one is ignored."""
    for address in addresses:
        match = _TOKEN.search(address)
        if match is None:
            continue
        lead_id, given = int(match.group(1)), match.group(2).lower()
        if any(hmac.compare_digest(given, _signature(lead_id, key)) for key in signing_keys()):
            return lead_id
    return None
