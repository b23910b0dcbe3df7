"""WTForms' own messages (e.g. "Not a valid choice") come from a catalogue read once per language."""

from __future__ import annotations

from babel import support

from tests.inquiries.conftest import valid_form


def test_wtforms_catalogue_is_read_once_not_per_request(client, page_url, monkeypatch):
    loads = []
    real = support.Translations.load

    def counted(dirname=None, locales=None, domain=None):
        if domain == "wtforms":
            loads.append(locales)
        return real(dirname, locales, domain)

    monkeypatch.setattr(support.Translations, "load", counted)
    for _ in range(3):
        assert client.get(page_url).status_code == 200
        response = client.post(page_url, data=valid_form(preferred_contact="pigeon"))
        assert "Not a valid choice" in response.get_data(as_text=True)
    assert len(loads) <= 1, loads
