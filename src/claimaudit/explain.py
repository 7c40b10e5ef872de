"""`claimaudit explain`: what the engine reads in one claim and why it decides."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from claimaudit.evidence.aliases import merge_aliases, resolve_aliases
from claimaudit.evidence.index import SourceIndex
from claimaudit.ingest.sources import load_pack
from claimaudit.model import AlignedElement
from claimaudit.pipeline import aligned_elements, checked_rewrite, describe
from claimaudit.rules.examples import judge_in_index, sources_from_text
from claimaudit.verdicts.confidence import verdict_confidence
from claimaudit.rules.loader import load_rules
from claimaudit.verdicts.aggregate import decide, effective_reasons

if TYPE_CHECKING:
    import datetime

    from claimaudit.evidence.meaning import Meaning
    from claimaudit.review.library import Library

STRENGTH = {0: "0 no relationship", 1: "1 correlational", 2: "2 conditional causal", 3: "3 direct causal"}


def explain_claim(claim: str, evidence: list[str], packs: list[str], extra_rules: Sequence[str | Path],
                  disable: Sequence[str] = (), levels: dict[str, str] | None = None,
                  aliases: Mapping[str, tuple[str, ...]] | None = None, meaning: Meaning | None = None,
                  cited: Sequence[str] = (), register_id: str = "", library: Library | None = None,
                  as_of: datetime.date | None = None) -> str:
    """The step-by-step reading of one claim against the packs and evidence text.

    ``aliases`` (an alias table, e.g. the config's) is merged with the packs'
    own ``aliases:``, as ``check`` merges them. ``meaning``: the sentence model
    of the semantic extra, used beside the words as an audit with
    ``--semantic`` uses it. ``cited`` and ``register_id``: the sources a claims
    table's row cites and the row's own id. ``library``: a claims library the
    claim is held against (on ``as_of``, default today), as ``--library`` does."""
    loaded = [load_pack(pack) for pack in packs]
    sources = [s for pack in loaded for s in pack.sources] + sources_from_text(evidence)
    names = merge_aliases(aliases, *(pack.aliases for pack in loaded))
    rules = load_rules(list(extra_rules), disable=list(disable), levels=levels)
    index = SourceIndex.build(sources, aliases=names, meaning=meaning)
    judged = judge_in_index(claim, index, rules, tuple(cited))
    statement, matches, reasons = judged.statement, judged.matches, judged.reasons
    read = describe(statement)
    out = [f"Claim: {claim}"]
    if register_id:
        out.append(f"Register id: {register_id}")
    if cited:
        out.append(f"Cites: {', '.join(cited)}")
    if meaning is not None:
        out.append(f"Meaning: on, beside the words (semantic model: {meaning.settings.model})")
    out += ["", "1. What the engine reads",
           f"   type: {statement.claim_type}",
           f"   strength: {STRENGTH.get(statement.level, statement.level)}"]
    for key in ("figures", "hedges", "boosters", "negations", "populations", "conditions",
                "interventions", "outcomes", "attribution"):
        out.append(f"   {key}: {', '.join(map(str, read[key])) or '-'}")
    named = [f"{claim[start:end]} = {target}" for start, end, target in resolve_aliases(claim, names)]
    if named:
        out.append(f"   names read as the sources' (aliases): {', '.join(dict.fromkeys(named))}")
    out += ["", "2. Best evidence"]
    if not matches:
        out.append("   (no sources)")
    for rank, match in enumerate(matches, 1):
        ev = describe(match.statement)
        source = index.source(match.source_id)
        page = source.page_at(match.sentence.start) if source is not None else None
        where = f"{match.source_id}, p. {page}" if page is not None else match.source_id
        out.append(f"   #{rank} {where} similarity {match.similarity:.2f} "
                   f"strength {match.statement.level}: {match.sentence.text}")
        if ev["figures"] or ev["hedges"] or ev["populations"] or ev["conditions"]:
            out.append(f"      figures: {', '.join(ev['figures']) or '-'}; hedges: {', '.join(ev['hedges']) or '-'}; "
                       f"populations: {', '.join(ev['populations']) or '-'}; conditions: {', '.join(ev['conditions']) or '-'}")
    out += ["", "3. Rules that fired"]
    if not reasons:
        out.append("   none")
    for reason in reasons:
        span = f" [claim words: {claim[reason.claim_span[0]:reason.claim_span[1]]!r}]" if reason.claim_span else ""
        out.append(f"   {reason.code} {reason.rule} -> {reason.verdict}: {reason.message}{span}")
    aligned = [a for a in aligned_elements(judged.judgement) if a.status != "not stated"]
    out += ["", "4. Element by element (claim against the evidence that covers it)"]
    if not aligned:
        out.append("   nothing in the claim could be lined up with a source")
    for item in aligned:
        clause = f" [{item.clause}]" if item.clause else ""
        said = f"{item.evidence_words or '-'}" + (f" ({item.source})" if item.source else "")
        out.append(f"   {item.element}{clause}: {element_status(item)} - claim: {item.claim_words or '-'}; "
                   f"evidence: {said}")
    verdict, confidence, suggestion = decide(reasons, matches[0].similarity if matches else 0.0)
    confidence = verdict_confidence(claim, judged.judgement, index, verdict == "supported", confidence)
    if verdict != "supported":
        # The same check an audit makes: a rewrite is shown only when it would come out supported.
        suggestion = checked_rewrite(claim, suggestion, index, judged.resolution, rules)
    deciding = effective_reasons(reasons)
    if len(deciding) < len(reasons):
        out.append("   (evidence.* fallbacks are set aside: another rule found evidence about the claim)")
    out += ["", f"5. Verdict: {verdict} (confidence {confidence:.2f})"]
    if suggestion:
        out.append(f"   suggestion: {suggestion}")
    if library is not None:
        out += ["", *library_section(claim, judged.resolution.cited or cited, library, as_of)]
    return "\n".join(out)


def library_section(claim: str, cited: Sequence[str], library: Library, as_of: datetime.date | None) -> list[str]:
    """How the claim stands against the claims library; it never changes the verdict above."""
    import datetime

    from claimaudit.report.common import library_message
    from claimaudit.review.library import DEVIATES, LibraryIndex

    day = as_of or datetime.date.today()
    match = LibraryIndex(library, day).match(claim, tuple(cited))
    out = [f"6. Claims library ({Path(library.path).name}, as of {day.isoformat()}; approval is not evidence, "
           f"the verdict stands)"]
    if not match:
        out.append("   no approved claim is near this one")
        return out
    if match.get("status") == DEVIATES:
        out.append(f"   {match.get('id', '')} deviates: the approved wording is “{match.get('approved_text', '')}”")
        out += [f"      - {item}" for item in match.get("differences", [])]
    else:
        out.append(f"   {match.get('id', '')} {match.get('status', '')}: {library_message(match)}")
    return out


def element_status(item: AlignedElement) -> str:
    """An element's status, saying so when meaning, not the words, matched it."""
    if item.meaning is None:
        return item.status
    return f"{item.status} by meaning, similarity {item.meaning:.2f}"
