"""Extraction of the table of contents, the symptom list and the FAQ, on the seed and on other posts."""

from __future__ import annotations

from leads.articles.extract import extract
from leads.articles.sanitize import sanitize_html
from tests.articles.conftest import load_post
from tests.factories import SEED_SYMPTOMS, seed_payload


def extracted(post: dict):
    return extract(sanitize_html(post["content"]["rendered"], post["link"]))


def test_seed_sections_symptoms_and_faq():
    found = extracted(seed_payload())
    assert [entry["id"] for entry in found.toc] == [
        "What_Is_Spinal_Stenosis",
        "Stem_Cell_Therapy_for_Spinal_Stenosis",
        "How_Does_Stem_Cell_Therapy_Work_for_Spinal_Stenosis",
        "Mayo_Clinics_Approach_to_Stem_Cell_Therapy",
        "Potential_Benefits_of_Stem_Cell_Therapy_for_Spinal_Stenosis",
        "Challenges_and_Considerations",
        "Conclusion",
        "Frequently_Asked_Questions_FAQs",
    ]
    assert found.toc[3] == {
        "id": "Mayo_Clinics_Approach_to_Stem_Cell_Therapy",
        "title": "Mayo Clinic\u2019s Approach to Stem Cell Therapy",
        "level": 3,
    }
    assert found.symptoms == SEED_SYMPTOMS
    assert len(found.faqs) == 5
    assert found.faqs[0] == {
        "question": "What are the benefits of stem cell therapy for spinal stenosis?",
        "answer": "Stem cell therapy can reduce pain, improve mobility, and regenerate damaged tissues in the "
        "spine, offering relief from the symptoms of spinal stenosis.",
    }
    assert found.faqs[4]["question"] == "Can stem cell therapy replace spinal surgery for spinal stenosis?"
    assert found.faqs[4]["answer"].startswith("In some cases")
    assert "It\u2019s important" in found.faqs[4]["answer"]
    for pair in found.faqs:
        assert pair["question"].endswith("?")
        assert "<" not in pair["answer"]
        assert pair["question"] not in pair["answer"]


def test_block_list_post_with_signs_and_bold_terms():
    found = extracted(load_post("knee-osteoarthritis"))
    # The first list (treatment options) is not introduced by symptoms; "Common signs include:" is.
    assert found.symptoms == [
        "Joint stiffness",
        "Swelling around the knee",
        "A grating or crackling sound when you move",
        "Reduced range of motion",
    ]
    assert [(entry["id"], entry["level"]) for entry in found.toc] == [
        ("treatment-options", 2),
        ("Recognising_knee_osteoarthritis", 2),
        ("how-it-works", 2),
        ("What_to_expect_on_the_day", 3),
        ("Frequently_asked_questions", 2),
    ]
    assert found.faqs == [
        {
            "question": "Does the injection hurt?",
            "answer": "Most patients feel only mild pressure; a local anaesthetic is used.",
        },
        {"question": "How soon can I walk?", "answer": "You can walk out of the clinic the same day."},
        {
            "question": "Will I need more than one session?",
            "answer": "Some patients benefit from a second injection after six months.",
        },
    ]


def test_heading_per_question_faq_and_symptoms_in_other_words():
    found = extracted(load_post("rotator-cuff"))
    assert found.symptoms == [
        "Pain when lifting the arm",
        "Weakness when rotating the shoulder",
        "Trouble sleeping on the affected side",
    ]
    assert found.faqs == [
        {
            "question": "Is the treatment painful?",
            "answer": "A local anaesthetic keeps discomfort low.\n\nSome soreness for a day or two is normal.",
        },
        {
            "question": "How long is the recovery?",
            "answer": "Most patients return to light activity within a week.",
        },
    ]
    # The FAQ section ends at the next heading of its level.
    assert all("ten years" not in pair["answer"] for pair in found.faqs)
    assert [entry["id"] for entry in found.toc][:3] == ["Overview", "Before_you_book", "Before_you_book_2"]


def test_faq_as_bold_question_paragraphs():
    found = extract(
        sanitize_html(
            "<h2>FAQs</h2><p><strong>Is it covered by insurance?</strong></p><p>Rarely.</p>"
            "<p><b>Can I drive home?</b></p><p>Yes, after an hour.</p><p>Bring a companion anyway.</p>"
        )
    )
    assert found.faqs == [
        {"question": "Is it covered by insurance?", "answer": "Rarely."},
        {"question": "Can I drive home?", "answer": "Yes, after an hour.\n\nBring a companion anyway."},
    ]


def test_faq_list_items_without_bold():
    found = extract(
        sanitize_html("<h3>Frequently Asked Questions</h3><ul><li>Does it hurt? Not much.</li></ul>")
    )
    assert found.faqs == [{"question": "Does it hurt?", "answer": "Not much."}]


def test_no_symptom_list_and_no_faq():
    found = extract(
        sanitize_html(
            "<h2>About</h2><p>Symptoms vary.</p><h2>Options</h2><p>We offer:</p><ul><li>Rest</li></ul>"
            "<p>Signs of recovery.</p>loose text<ul><li>Not this</li></ul>"
        )
    )
    assert found.symptoms == []
    assert found.faqs == []
    assert [entry["title"] for entry in found.toc] == ["About", "Options"]


def test_symptom_items_ignore_nested_lists_and_duplicates():
    found = extract(
        sanitize_html(
            "<p>Warning signs:</p><ul><li>Fever<ul><li>above 38 °C</li></ul></li><li>Fever</li><li> </li>"
            "<li>Chills</li></ul>"
        )
    )
    assert found.symptoms == ["Fever", "Chills"]
