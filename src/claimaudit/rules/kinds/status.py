"""Requirements for safety and regulatory status claims."""

from __future__ import annotations

import re

from typing import TYPE_CHECKING

from claimaudit.evidence.rank import Match
from claimaudit.rules.context import Hit, RuleContext
from claimaudit.rules.kinds.common import find_phrases, phrase_pattern
from claimaudit.rules.spec import fill_template

if TYPE_CHECKING:
    from claimaudit.rules.kinds.conditional import ConditionalParams


def safety_absolute(ctx: RuleContext, params: ConditionalParams) -> list[Hit]:
    """An absolute safety claim held against what the sources report."""
    absolutes = find_phrases(params.words, ctx.claim.text)
    if not absolutes:
        return []
    start, end, word = absolutes[0]
    absolute_pattern = phrase_pattern(tuple(params.words))
    qualified_pattern = phrase_pattern(tuple(params.qualified))
    # Related evidence first, then any safety statement anywhere in the pack.
    candidates = list(ctx.related) + [m for m in ctx.evidence if m not in ctx.related]
    index = ctx.index
    for match in candidates:
        if absolute_pattern.search(match.statement.text) and not qualified_pattern.search(match.statement.text):
            return []
    for match in candidates:
        found = qualified_pattern.search(match.statement.text)
        if found:
            return [Hit(_reported({"word": word, "source_words": found.group(0), "source": match.source_id}),
                        (start, end), match, (found.start(), found.end()),
                        _soften(ctx.claim.text, start, end, found.group(0)))]
    for row in index.rows_matching(absolute_pattern):
        if not qualified_pattern.search(index.sentences[row].text):
            return []
    for row in index.rows_matching(qualified_pattern):
        sentence = index.sentences[row]
        found = qualified_pattern.search(sentence.text)
        if found:
            match = Match(sentence, 0.0)
            return [Hit(_reported({"word": word, "source_words": found.group(0), "source": sentence.source.id}),
                        (start, end), match, (found.start(), found.end()),
                        _soften(ctx.claim.text, start, end, found.group(0)))]
    return [Hit({"word": word, "source_words": "", "source": "", "reported": "no source reports on safety"},
                (start, end), ctx.best, None,
                level=params.level_without_evidence)]


# What the sources report, as the clause a message quotes; filled as messages are, so
# an empty source id or wording never leaves "the sources () report".
REPORTED = 'the sources[ ({source})] report "{source_words}"'


def _reported(values: dict[str, str]) -> dict[str, str]:
    return {**values, "reported": fill_template(REPORTED, values)}


def _soften(text: str, start: int, end: int, source_words: str) -> str:
    """Replace the absolute with the sources' own safety wording."""
    lowered = source_words.lower()
    if lowered.startswith(("no ", "well tolerated", "well-tolerated", "low risk", "generally safe")):
        return f"{text[:start]}{source_words}{text[end:]}"
    return f'Describe safety as the sources do: they report "{source_words}".'


def regulatory_status(ctx: RuleContext, params: ConditionalParams) -> list[Hit]:
    """A claimed approval, clearance or licence that no source states."""
    words = phrase_pattern(tuple(params.words))
    found = words.search(ctx.claim.text)
    if not found:
        return []
    if ctx.claim.negated_at(found.start(), found.end()) or phrase_pattern(tuple(params.denials)).search(ctx.claim.text):
        return []
    denials = phrase_pattern(tuple(params.denials))
    # Only a sentence that denies, or names a status, can settle the claim.
    candidates = list(ctx.evidence) + [m for m in _pack_matches(ctx, words, denials) if m not in ctx.evidence]
    for match in candidates:
        denial = denials.search(match.statement.text)
        affirmed = words.search(match.statement.text)
        if denial or (affirmed and match.statement.negated_at(affirmed.start(), affirmed.end())):
            span = (denial.start(), denial.end()) if denial else None
            return [Hit({"word": found.group(0), "status": "contradicted by", "source": match.source_id},
                        (found.start(), found.end()), match, span)]
    claimed = _status(found.group(0))
    for match in candidates:
        for affirmed in words.finditer(match.statement.text):
            if _status(affirmed.group(0)) == claimed and not match.statement.negated_at(affirmed.start(), affirmed.end()):
                return []
    return [Hit({"word": found.group(0), "status": "stated by no source", "source": ""},
                (found.start(), found.end()), ctx.best, None)]


STATUS_STEMS = (("approv", "approved"), ("clear", "cleared"), ("licen", "licensed"), ("authori", "authorised"),
                ("regist", "registered"), ("certif", "certified"))


def _status(word: str) -> str:
    """The kind of status a word names: "cleared" does not back "approved"."""
    lowered = word.lower()
    for stem, status in STATUS_STEMS:
        if stem in lowered:
            return status
    return lowered


def _pack_matches(ctx: RuleContext, *patterns: re.Pattern[str]) -> list[Match]:
    """The pack's sentences any of the patterns finds something in, in pack order."""
    rows = sorted({row for pattern in patterns for row in ctx.index.rows_matching(pattern)})
    return [Match(ctx.index.sentences[row], 0.0) for row in rows]
