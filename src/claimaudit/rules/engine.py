"""Run the active rules on one claim and turn their hits into reasons."""

from __future__ import annotations

from dataclasses import dataclass, field

from claimaudit import limits
from claimaudit.claims.anatomy import Statement
from claimaudit.claims.detect import claim_parts
from claimaudit.errors import InputError
from claimaudit.evidence.align import Alignment
from claimaudit.evidence.index import SourceIndex
from claimaudit.evidence.rank import Match, Resolution, rank_evidence
from claimaudit.model import Reason, Verdict
from claimaudit.rules.context import Hit, RuleContext
from claimaudit.rules.kinds.common import PatternBudgetSpent, PatternError, pattern_run
from claimaudit.rules.loader import Rule, field_line
from claimaudit.rules.spec import fill_template, shortened


def format_message(template: str, values: dict) -> str:
    """Fill a rule's message so it reads as a sentence: an optional segment whose
    value is empty vanishes, an empty value elsewhere takes the words its
    placeholder declares for that case or goes with its quotes (see
    :func:`claimaudit.rules.spec.fill_template`); never an error."""
    return fill_template(template, values)


def _what_it_flags(rule: Rule) -> str:
    """The message of a hit whose template gave nothing (one made only of
    placeholders, all empty): what the rule flags, in its own words."""
    return " ".join(rule.docs.what.split()) or rule.name


def _hits(rule: Rule, context: RuleContext) -> list[Hit]:
    if not rule.kind.patterns:
        return rule.kind.check(context, rule.params)
    try:
        with pattern_run(rule.pattern_run):
            return rule.kind.check(context, rule.params)
    except PatternBudgetSpent as spent:
        loc = ("params", spent.param, spent.index)
        error = limits.breach("max-regex-seconds", path=rule.path, line=field_line(rule.path, loc),
                              field=f"params.{spent.param}[{spent.index}]")
        raise InputError(f"rule {rule.code}, pattern {shortened(spent.pattern)!r}: {error.detail}",
                         path=error.path, line=error.line, field=error.field) from None
    except PatternError as bad:
        # Only a rule that did not come through the loader gets this far with a bad pattern.
        raise InputError(f"rule {rule.code}: invalid pattern: {bad}", path=rule.path, field="params.patterns") \
            from None


@dataclass
class Judgement:
    """What the engine made of one claim: its reasons, its best evidence, and
    how the evidence lines up with it (one alignment per clause of a compound claim)."""

    reasons: list[Reason]
    evidence: list[Match]
    alignments: list[tuple[str, Alignment]] = field(default_factory=list)  # (clause text, alignment)


def evaluate(
    claim: Statement,
    evidence: list[Match],
    index: SourceIndex,
    resolution: Resolution,
    rules: list[Rule],
) -> list[Reason]:
    return _evaluate(claim, evidence, index, resolution, rules)[0]


def _evaluate(claim: Statement, evidence: list[Match], index: SourceIndex, resolution: Resolution,
              rules: list[Rule]) -> tuple[list[Reason], Alignment]:
    context = RuleContext(claim=claim, evidence=evidence, index=index, resolution=resolution)
    reasons: list[Reason] = []
    for rule in rules:
        for hit in _hits(rule, context):
            match = hit.evidence
            evidence_span = hit.evidence_span
            level = _verdict(hit.level if hit.level in {"overstated", "unsupported"} and rule.level == rule.spec.level
                             else rule.level)
            reasons.append(
                Reason(
                    rule=rule.name,
                    code=rule.code,
                    message=format_message(rule.message, hit.values) or _what_it_flags(rule),
                    verdict=level,
                    family=rule.family,
                    claim_span=hit.claim_span,
                    evidence_span=evidence_span if match is not None else None,
                    evidence_source=match.source_id if match is not None else "",
                    evidence_text=match.sentence.text if match is not None else "",
                    suggestion=hit.suggestion or format_message(rule.spec.suggestion, hit.values),
                    decisive=hit.decisive,
                )
            )
    if not context.alignment.core_shown and not any(r.verdict in {"overstated", "unsupported"} for r in reasons):
        reasons.append(_not_shown(context))
    return reasons, context.alignment


def _verdict(level: str | None) -> Verdict:
    """A rule's level as a verdict; the loader admits only these two."""
    return "overstated" if level == "overstated" else "unsupported"


# "Support not shown": the one reason the judgement with meaning may settle.
NOT_SHOWN = "CA001"


def _not_shown(context: RuleContext) -> Reason:
    """No rule firing is not support: a claim whose core no evidence was shown to
    cover is unsupported, whichever rules are switched on."""
    alignment = context.alignment
    best = alignment.evidence[0] if alignment.evidence else context.best
    missing = [e.element.value for e in alignment.elements[:3] if e.status.value not in {"matched", "not stated"}]
    what = f"its {', '.join(missing)}" if missing else "nothing in it"
    return Reason(
        rule="evidence.unrelated", code=NOT_SHOWN, family="evidence", verdict="unsupported",
        message=f"Support not shown: {what} could be matched to a cited source.",
        claim_span=None, evidence_span=None, evidence_source=best.source_id if best else "",
        evidence_text=best.sentence.text if best else "",
        suggestion="Remove the claim, or add the source that states it to the pack.",
        decisive=alignment.about_something_else)


def evaluate_parts(parts: list, ranked: list[list[Match]], index: SourceIndex, resolution: Resolution,
                   rules: list[Rule], sentence: str = "") -> tuple[list[Reason], list[Match]]:
    judgement = _judge_parts(parts, ranked, index, resolution, rules, sentence)
    return judgement.reasons, judgement.evidence


def _judge_parts(parts: list, ranked: list[list[Match]], index: SourceIndex, resolution: Resolution,
                 rules: list[Rule], sentence: str = "") -> Judgement:
    """Judge each clause of a compound claim; the claim carries every clause's
    reasons (their spans mapped back into the sentence) and the best evidence
    of all of them."""
    reasons: list[Reason] = []
    evidence: list[Match] = []
    alignments: list[tuple[str, Alignment]] = []
    for part, matches in zip(parts, ranked):
        part_reasons, alignment = _evaluate(part.statement, matches, index, resolution, rules)
        alignments.append((part.statement.text, alignment))
        for reason in part_reasons:
            reason.claim_span = part.to_sentence(reason.claim_span)
            reason.suggestion = _whole_sentence(reason.suggestion, part, sentence)
            reasons.append(reason)
        evidence.extend(matches)
    seen, best = set(), []
    for match in sorted(evidence, key=lambda m: (-m.similarity, m.source_id, m.sentence.start)):
        key = (match.source_id, match.sentence.start)
        if key not in seen:
            seen.add(key)
            best.append(match)
    unique: dict = {}
    for reason in reasons:
        unique.setdefault((reason.code, reason.claim_span, reason.evidence_text, reason.message), reason)
    return Judgement(list(unique.values()), best[: len(ranked[0]) if ranked and ranked[0] else 3], alignments)


def _whole_sentence(suggestion: str, part, sentence: str) -> str:
    """A clause's rewrite put back into its sentence."""
    if not suggestion or not sentence:
        return suggestion
    clause_text = part.statement.text
    if not suggestion.startswith(clause_text[:max(part.subject, 1)]) and suggestion[:20] != clause_text[:20]:
        return suggestion  # advice, not a rewrite of the clause
    rewritten = suggestion[part.subject:] if part.subject and suggestion.startswith(clause_text[:part.subject]) else suggestion
    rewritten = rewritten.rstrip(".") if not sentence[part.start:part.end].endswith(".") else rewritten
    return sentence[:part.start] + rewritten + sentence[part.end:]


def judge_statements(statements: list[Statement], index: SourceIndex, resolutions: list[Resolution],
                     rules: list[Rule]) -> list[tuple[list[Reason], list[Match]]]:
    """The reasons and the evidence for every claim, in order (see :func:`judge`)."""
    return [(j.reasons, j.evidence) for j in judge(statements, index, resolutions, rules)]


JudgementKey = tuple[object, ...]


def judgement_key(statement: Statement, resolution: Resolution) -> JudgementKey:
    """Everything a claim's judgement depends on besides the pack and the rules: its words and
    type (the rest of its analysis follows from the words) and the sources it names."""
    missing = tuple(tuple(sorted((k, str(v)) for k, v in named.items())) for named in resolution.missing)
    return (statement.text, statement.claim_type, statement.is_claim, tuple(resolution.cited), missing,
            tuple(resolution.ambiguous))


def judge(statements: list[Statement], index: SourceIndex, resolutions: list[Resolution],
          rules: list[Rule], memo: dict[JudgementKey, Judgement] | None = None) -> list[Judgement]:
    """Rank each claim's evidence, align it and run the rules, for every claim
    in order. The one judging step that audits, checks, `explain` and rule
    examples all go through.

    A claim repeated word for word (a footer on every page, a product line on
    many) is judged once: the same words naming the same sources against the
    same pack and rules are judged the same. ``memo`` keeps judgements across
    calls with this pack and these rules (one run's batches).

    With the semantic extra, each claim is judged twice: by meaning and words
    together, and by words alone. Meaning can show support the words could not
    (a synonym, a paraphrase), but never hides a problem the words found: the
    claim keeps every reason of the words' judgement except "support not
    shown", which only the judgement by meaning may settle.
    """
    keys = [judgement_key(statement, resolution) for statement, resolution in zip(statements, resolutions)]
    known = memo if memo is not None else {}
    first: dict[JudgementKey, int] = {}
    for n, key in enumerate(keys):
        if key not in known and key not in first:
            first[key] = n
    wanted = list(first.values())
    fresh = _judge_each([statements[n] for n in wanted], index, [resolutions[n] for n in wanted], rules)
    found = dict(zip(first, fresh))
    if memo is not None and len(memo) < MEMO_LIMIT:
        memo.update(found)
    out = []
    for key in keys:
        judgement = found.get(key) or known[key]
        # Each claim gets lists of its own; the reasons and matches in them are not changed after judging.
        out.append(Judgement(list(judgement.reasons), list(judgement.evidence), list(judgement.alignments)))
    return out


# Judgements a run keeps for claims repeated across its batches.
MEMO_LIMIT = 200_000


def _judge_each(statements: list[Statement], index: SourceIndex, resolutions: list[Resolution],
                rules: list[Rule]) -> list[Judgement]:
    if not statements:
        return []
    judged = _judge(statements, index, resolutions, rules)
    if index.meaning is None:
        return judged
    by_words = _judge(statements, index.by_words_alone(), resolutions, rules)
    return [_agreed(with_meaning, words) for with_meaning, words in zip(judged, by_words)]


def _agreed(with_meaning: Judgement, by_words: Judgement) -> Judgement:
    # A rule that fired both ways on the same words of the claim is reported once,
    # on the evidence ranked with meaning.
    seen = {(r.code, r.claim_span) for r in with_meaning.reasons}
    kept: list[Reason] = []
    for reason in by_words.reasons:
        if reason.code != NOT_SHOWN and (reason.code, reason.claim_span) not in seen:
            kept.append(reason)
            seen.add((reason.code, reason.claim_span))
    return Judgement(with_meaning.reasons + kept, with_meaning.evidence, with_meaning.alignments)


def _judge(statements: list[Statement], index: SourceIndex, resolutions: list[Resolution],
           rules: list[Rule]) -> list[Judgement]:
    ranked = rank_evidence(statements, index, resolutions)
    # A compound claim is judged clause by clause; all clauses are ranked in one batch.
    parts = [claim_parts(statement) for statement in statements]
    flat = [(i, part) for i, claim_part in enumerate(parts) for part in claim_part]
    part_ranked = rank_evidence([part.statement for _, part in flat], index, [resolutions[i] for i, _ in flat])
    ranked_parts: dict[int, list[list[Match]]] = {}
    for (i, _), matches in zip(flat, part_ranked):
        ranked_parts.setdefault(i, []).append(matches)
    judged: list[Judgement] = []
    for n, (statement, matches, resolution) in enumerate(zip(statements, ranked, resolutions)):
        if parts[n]:
            judged.append(_judge_parts(parts[n], ranked_parts[n], index, resolution, rules, statement.text))
        else:
            reasons, alignment = _evaluate(statement, matches, index, resolution, rules)
            judged.append(Judgement(reasons, matches, [(statement.text, alignment)]))
    return judged
