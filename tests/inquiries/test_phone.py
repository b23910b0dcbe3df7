"""Phone numbers as people type them: national, +, or an international prefix (00, 011)."""

from __future__ import annotations

import pytest

from leads.extensions import db
from leads.inquiries.forms import normalize_phone
from leads.models import Lead
from tests.inquiries.conftest import valid_form


@pytest.mark.parametrize(
    ("typed", "region", "e164"),
    [
        ("0044 20 7946 0958", "US", "+442079460958"),
        ("011 44 20 7946 0958", "US", "+442079460958"),
        ("011 44 20 7946 0958", "GB", "+442079460958"),
        ("00 1 507 555 0123", "US", "+15075550123"),
        ("0044 20 7946 0958", "GB", "+442079460958"),
        ("+44 20 7946 0958", "US", "+442079460958"),
        ("(507) 555-0123", "US", "+15075550123"),
        # A national number of the default region wins over reading 011 as a prefix (Sheffield).
        ("0114 496 0000", "GB", "+441144960000"),
    ],
)
def test_international_prefixes_are_read_as_plus(typed, region, e164):
    assert normalize_phone(typed, region) == e164


@pytest.mark.parametrize("typed", ["0044 12", "011", "00", "0099 123 456"])
def test_a_prefix_before_too_few_digits_is_still_refused(typed):
    with pytest.raises(ValueError, match=r"does not look complete|we can call"):
        normalize_phone(typed, "US")


def test_form_with_0044_stores_the_e164_number(client, page_url):
    response = client.post(page_url, data=valid_form(phone="0044 20 7946 0958", preferred_contact="phone"))

    assert response.status_code == 303
    assert db.session.scalars(db.select(Lead.phone)).one() == "+442079460958"
