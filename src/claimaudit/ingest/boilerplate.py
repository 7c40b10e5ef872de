"""Recognising page furniture that is not copy: sign-up widgets, pasted forms.

Scraped pages carry widgets ("Subscribe to our newsletter", "Request
information packet") that are pasted many times over. They are not claims a
reviewer signs off, and auditing them twelve times buries the real findings.
The rules here are deliberately narrow: a claim that is repeated (a tagline in
the hero and again in the footer) keeps its first occurrence, because a
missed claim is worse than a duplicate.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Sequence

from claimaudit.ingest.mapped import PendingBlock

# Short texts that only ever appear in sign-up, consent and contact widgets.
_WIDGET_PHRASES = re.compile(
    r"""\b(
        subscrib\w* | newsletter | mailing\ list | sign\ up | signup | opt[\s-]?in
      | cookies? | accept\ all | privacy\ policy | terms\ (?:of\ (?:use|service)|and\ conditions)
      | all\ rights\ reserved | copyright | \u00a9
      | thanks?\ (?:you\ )?for\ (?:your\ )?(?:interest|subscribing|signing|contacting|submitting)
      | request\ (?:an?\ |your\ |more\ )?(?:free\ )?information | information\ (?:packet|pack|kit)
      | follow\ us | share\ (?:this|on) | read\ more | click\ here | skip\ to\ (?:main\ )?content
      | back\ to\ top | submit | required\ fields?
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)

# Headings that title a widget rather than a section of copy.
_WIDGET_HEADING = re.compile(
    r"""\b(
        subscrib\w* | newsletter | mailing\ list | sign\ up | cookies?
      | request\ (?:an?\ |your\ |more\ )?(?:free\ )?information | information\ (?:packet|pack|kit)
      | follow\ us | share\ this
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)

_WIDGET_MAX_WORDS = 40

# Words that make a text worth auditing even where it sits like a widget
# ("Sign up for our programme: it reverses diabetes in 30 days"): figures,
# effects, safety, approval and research language. A widget that says one of
# these things is kept, because a missed claim is worse than a noisy one.
_CLAIM_SIGNAL = re.compile(
    r"\d|\b(?:reduc|improv|cur(?:e|es|ed|ing)\b|heal|restor|prevent|reliev|reverse|boost|lower|"
    r"increas|decreas|eliminat|proven|guarantee|safe|side\s+effect|approved|cleared|clinical|stud(?:y|ies)|"
    r"research|trial|results?\b|lose|gain|effective)",
    re.IGNORECASE,
)


def says_something(text: str) -> bool:
    return bool(_CLAIM_SIGNAL.search(text))


def word_count(text: str) -> int:
    return len(text.split())


def looks_like_boilerplate(text: str) -> bool:
    """A short text made of widget phrasing (sign-up, consent, thank-you notes)."""
    return word_count(text) <= _WIDGET_MAX_WORDS and bool(_WIDGET_PHRASES.search(text))


def is_widget_heading(text: str) -> bool:
    return word_count(text) <= 12 and bool(_WIDGET_HEADING.search(text))


REPEATED_HEADING = "a heading printed twice in a row"
WIDGET_TITLE = "a heading repeated across the page (a widget title)"
WIDGET_HEADING = "the title of a sign-up, sharing or contact widget"
WIDGET_TEXT = "text of a sign-up, sharing or contact widget"
REPEAT = "a repeat of text audited where it first appears"
REPEATED_WIDGET = "a widget repeated across the page"


def drop_widgets(blocks: Sequence[PendingBlock]) -> list[PendingBlock]:
    """Set aside repeated widgets and widget sections, keeping real copy.

    Every block comes back, in order; a block that is not copy to audit has
    ``set_aside`` saying why, so the reports can list it:

    * the same heading twice in a row (a title printed twice) becomes one;
    * a heading repeated three or more times apart is a widget title;
    * a repeated text keeps its first occurrence, unless it reads as
      boilerplate or belongs to a repeating group of widgets (three or more
      copies, each next to another repeated block): then every copy goes;
    * a widget heading ("Subscribe to our newsletter") takes the short
      texts below it, up to the next heading, with it.

    Blocks already set aside (navigation) take no part in these rules.
    """
    merged: list[PendingBlock] = []
    for block in blocks:
        if block.set_aside:
            continue
        if (block.kind == "heading" and merged and merged[-1].kind == "heading"
                and merged[-1].key == block.key):
            if block.suppressions:
                merged[-1].suppressions = merged[-1].suppressions + block.suppressions
                block.suppressions = ()
            block.set_aside = REPEATED_HEADING
            continue
        merged.append(block)

    counts = Counter(block.key for block in merged)
    repeated_often = {key for key, n in counts.items() if n >= 3}

    def in_widget_group(index: int) -> bool:
        neighbours = [merged[j].key for j in (index - 1, index + 1) if 0 <= j < len(merged)]
        return any(key in repeated_often for key in neighbours)

    group_keys: set[str] = set()
    for key in repeated_often:
        positions = [i for i, block in enumerate(merged) if block.key == key]
        if all(in_widget_group(i) for i in positions):
            group_keys.add(key)

    seen: set[str] = set()
    carried: tuple[tuple[str, str], ...] = ()
    in_widget_section = False
    for block in merged:
        key = block.key
        why = ""
        if block.kind == "heading":
            in_widget_section = is_widget_heading(block.text)
            if in_widget_section:
                why = WIDGET_HEADING
            elif counts[key] >= 3:
                why = WIDGET_TITLE
        elif in_widget_section and word_count(block.text) <= _WIDGET_MAX_WORDS and not says_something(block.text):
            why = WIDGET_TEXT
        else:
            in_widget_section = False
            if counts[key] >= 2:
                if (key in group_keys or looks_like_boilerplate(block.text)) and not says_something(block.text):
                    why = REPEATED_WIDGET
                elif key in seen:
                    why = REPEAT
        seen.add(key)
        if why:
            # A suppression written above a dropped widget still means the
            # copy that follows it.
            carried = carried + block.suppressions
            block.suppressions = ()
            block.set_aside = why
            continue
        if carried:
            block.suppressions = carried + block.suppressions
            carried = ()
    return list(blocks)


def kept(blocks: Sequence[PendingBlock]) -> list[PendingBlock]:
    """The blocks that are copy to audit."""
    return [block for block in blocks if not block.set_aside]
