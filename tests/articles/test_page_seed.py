"""The bundled seed article, imported, then served as patients see it."""

from __future__ import annotations

import json

from bs4 import BeautifulSoup

from leads.articles.importer import import_post
from leads.extensions import db
from tests.factories import SEED_SYMPTOMS, seed_payload

SLUG = "mayo-clinic-stem-cell-therapy-for-spinal-stenosis"
FAQ_QUESTIONS = [
    "What are the benefits of stem cell therapy for spinal stenosis?",
    "Is stem cell therapy a permanent solution for spinal stenosis?",
    "How long does it take to see results from stem cell therapy for spinal stenosis?",
    "Is stem cell therapy safe for spinal stenosis?",
    "Can stem cell therapy replace spinal surgery for spinal stenosis?",
]


def test_seed_page_has_toc_five_faqs_and_exactly_five_symptom_checkboxes(client):
    import_post(seed_payload())
    db.session.commit()

    response = client.get(f"/{SLUG}/")

    assert response.status_code == 200
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    toc_targets = [a["href"][1:] for a in soup.select("nav.toc a")]
    assert "What_Is_Spinal_Stenosis" in toc_targets
    assert "Frequently_Asked_Questions_FAQs" in toc_targets
    for target in toc_targets:
        assert soup.find(id=target) is not None, target
    body_text = soup.find(class_="article-body").get_text(" ")
    for question in FAQ_QUESTIONS:
        assert body_text.count(question) == 1, question
    ld = json.loads(soup.find("script", type="application/ld+json").string)
    faq_page = next(node for node in ld["@graph"] if node["@type"] == "FAQPage")
    assert [q["name"] for q in faq_page["mainEntity"]] == FAQ_QUESTIONS
    boxes = soup.select('input[type="checkbox"][name="symptoms"]')
    assert [box["value"] for box in boxes] == SEED_SYMPTOMS
    assert soup.find("script", src=True) is None
    assert soup.find("svg") is None
    assert not [tag for tag in soup.find_all(True) if "style" in tag.attrs]
