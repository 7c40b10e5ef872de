"""Widget filtering never swallows a claim that sits where a widget would."""

from __future__ import annotations

from claimaudit.ingest import document_from_text


def texts(doc):
    return [doc.text[b.start:b.end] for b in doc.blocks]


def test_claims_under_a_sign_up_heading_are_kept():
    page = ("## Sign up for our joint programme\n\n"
            "Our programme rebuilds knee cartilage in 30 days.\n\n"
            "Enter your email address below.\n")
    kept = texts(document_from_text(page, "page.md", "markdown"))
    assert "Our programme rebuilds knee cartilage in 30 days." in kept


def test_a_repeated_claim_with_widget_words_keeps_one_copy():
    claim = "Our drops cure dry eye in a week. Read more"
    page = f"<p>{claim}</p><p>Other text about the clinic.</p><p>{claim}</p>"
    kept = texts(document_from_text(page, "page.html", "html"))
    assert kept.count(claim) == 1
