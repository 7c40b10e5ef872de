"""How strongly a sentence claims a relationship, on the 0-3 scale of Yu et al. (2020).

0  no relationship: a description, a method, a recommendation, a question,
   a safety or feasibility statement about one thing
1  correlational: "associated with", "linked to", "more likely than", a
   difference between groups ("higher among smokers", "3 times as common"),
   and how common something is in a group ("anaemia common among runners")
2  conditional causal: a causal claim under a modal that governs its clause,
   however far off ("may at least in part reduce"), or "appears to", "can help"
3  direct causal: "reduces", "improves", "is effective", "leads to" (negated
   causal claims such as "did not improve" stay direct: they still speak of
   cause and effect). "The results suggest that X reduces Y" is direct too:
   the annotators of Yu et al. and of Wright & Augenstein both rate it so;
   "suggest" stays a hedge cue for the rules that compare wording.

The scale is computed from cue lexicons and a handful of rules about which
cues are asserted: a causal verb used as a goal ("strategies to reduce"), as a
noun or adjective ("with improved survival", "the increase in"), or after a
recommendation ("should reduce", "whether X improves") asserts nothing; a
causal word that only describes a noun ("a protective variant", "a gene that
affects appetite", "Although X may worsen Y, ...") gives way to the claim the
sentence makes. A relationship credited to earlier work ("previous studies
linked", "it is well known that", "a drug known to lower") is background and
does not set the level either.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..errors import InputError
from ._lazy import lazy_regex
from .cues import (
    DATA,
    Cue,
    CueLexicon,
    _read_yaml,
    find_cues,
    load_cues,
    normalise_phrase,
    phrase_lengths,
    tokens,
)

NO_RELATIONSHIP, CORRELATIONAL, CONDITIONAL_CAUSAL, DIRECT_CAUSAL = 0, 1, 2, 3
LEVEL_NAMES = {
    NO_RELATIONSHIP: "no relationship",
    CORRELATIONAL: "correlational",
    CONDITIONAL_CAUSAL: "conditional causal",
    DIRECT_CAUSAL: "direct causal",
}


@dataclass
class Strength:
    """A sentence's claim strength and the cues behind it.

    ``cues`` are the relationship cues that decided the level (the asserted
    causal or correlational cues, with the hedges that soften them);
    ``hedges`` and ``boosters`` list every hedge and booster in the sentence;
    ``negated`` says a deciding cue lies in a negation's scope ("did not
    reduce"). ``ability`` says a direct causal claim is stated as what
    something can do ("can reduce pain"): direct on the Yu et al. scale, but
    conditional on the scale Sumner et al. and Wright & Augenstein annotate,
    so a rule comparing an unqualified claim with such evidence may read it
    as conditional.
    """

    level: int
    cues: list[Cue] = field(default_factory=list)
    hedges: list[Cue] = field(default_factory=list)
    boosters: list[Cue] = field(default_factory=list)
    negated: bool = False
    ability: bool = False

    @property
    def name(self) -> str:
        return LEVEL_NAMES[self.level]


@dataclass(eq=False)
class StrengthRules:
    """The word lists of ``data/strength.yaml``, normalised to lower-case tokens."""

    conditional_markers: frozenset[str]
    reporting_hedges: frozenset[str]
    assertive_before_to: frozenset[str]
    directives: frozenset[str]
    nominalisers: frozenset[str]
    no_object: frozenset[str]
    noun_or_verb: frozenset[str]
    verbal_context: frozenset[str]
    object_starters: frozenset[str]
    agenda: frozenset[str]
    change_verbs: frozenset[str]
    describing_verbs: frozenset[str]
    epistemic_verbs: frozenset[str]
    background: frozenset[str]
    restating: frozenset[str]
    finding_verbs: frozenset[str]
    research_products: frozenset[str]
    _ends: dict[frozenset[str], dict[str, tuple[int, ...]]] = field(default_factory=dict, init=False)

    def lengths_ending(self, phrases: frozenset[str]) -> dict[str, tuple[int, ...]]:
        """Phrase lengths keyed by last word for one of the lists (computed once per list)."""
        lengths = self._ends.get(phrases)
        if lengths is None:
            lengths = self._ends[phrases] = phrase_lengths(phrases, by_last=True)
        return lengths


_LISTS = ("conditional_markers", "reporting_hedges", "assertive_before_to", "directives", "nominalisers",
          "no_object", "noun_or_verb", "verbal_context", "object_starters", "agenda", "change_verbs",
          "describing_verbs", "epistemic_verbs", "background", "restating",
          "finding_verbs", "research_products")


_normalise = normalise_phrase


@lru_cache(maxsize=16)
def _load_rules(extra_paths: tuple[str, ...]) -> StrengthRules:
    text = (DATA / "strength.yaml").read_text(encoding="utf-8")
    sources = [("strength.yaml (built in)", _read_yaml("strength.yaml (built in)", text))]
    sources += [(path, _read_yaml(path)) for path in extra_paths]
    merged: dict[str, set[str]] = {name: set() for name in _LISTS}
    for path, data in sources:
        for key, values in data.items():
            if key not in merged:
                raise InputError(f"unknown list {key!r} (expected {', '.join(_LISTS)})", path=str(path), field=key)
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise InputError("expected a list of phrases", path=str(path), field=key)
            merged[key].update(_normalise(v) for v in values)
    return StrengthRules(**{k: frozenset(v) for k, v in merged.items()})


def load_strength_rules(extra_paths: str | Path | Iterable[str | Path] = ()) -> StrengthRules:
    """The word lists behind the strength rules, with any extra YAML files merged in."""
    if isinstance(extra_paths, (str, Path)):
        extra_paths = (extra_paths,)
    return _load_rules(tuple(str(p) for p in extra_paths))


_CLAUSE_BREAK = frozenset({",", ";", ":", "(", ")", "—", "–", ".", "!", "?", "but", "however", "although",
                           "whereas", "while", "which", "who", "because"})
# Words that, right before "increases" or "benefits", make it a plural noun ("significant increases").
# Suffixes catch most adjectives; "-ant"/"-ent" and "-al" also end common nouns ("treatment",
# "variant", "hospital"), so only the adjectives among those are listed.
# Words that show a clause already has its verb, so a noun after them is not the subject.
_FINITE_WORDS = frozenset({"is", "are", "was", "were", "has", "have", "had", "found", "find", "finds", "show",
                           "shows", "showed", "shown", "revealed", "reveals", "demonstrated", "demonstrates",
                           "suggest", "suggests", "suggested", "indicate", "indicates", "indicated", "confirm",
                           "confirms", "confirmed", "identified", "observed", "report", "reports", "reported",
                           "provide", "provides", "provided", "support", "supports"})


def _subject_of_agenda(sent: _Sentence, i: int, cue: Cue, agenda_periods: dict[int, int]) -> bool:
    """ "The link between A, B and C deserves further study": a relationship noun in the subject of
    a research-agenda phrase later in the same stretch is put on the agenda, not asserted."""
    period = sent.period_of(i)
    agenda_at = agenda_periods.get(period, -1)
    if cue.group == "verb" or i >= agenda_at:
        return False
    start = i
    while start > 0 and sent.period_of(start - 1) == period:
        start -= 1
    return not any(w in _FINITE_WORDS for w in sent.words[start:i])


_PERIOD_BREAKS = frozenset({";", ":", ".", "!", "?", "but", "however", "although", "whereas", "while", "though",
                            "yet", "—", "–"})
_ADJECTIVE_RE = lazy_regex(r"\w+(?:ive|ic|ous|ful|ary|able|ible|ed)$|\w{3,}(?:er)$|significant|important|different|"
                           r"consistent|persistent|frequent|recent|subsequent|apparent|relevant|prevalent|"
                           r"sufficient|independent|transient|permanent|concurrent|modest|substantial|additional|"
                           r"potential|annual|seasonal|gradual|marginal|minimal|maximal|total|global|functional|"
                           r"clinical|small|large|slight|marked|major|minor|great|further|overall|mean|net|new|"
                           r"any|such|sharp|steep|steady|rapid|early|late|initial|modest|moderate|notable|"
                           r"meaningful|average|absolute|relative|similar")
# "-er" words that are not comparatives
_NOT_COMPARATIVE = frozenset({"never", "other", "either", "neither", "rather", "whether", "together", "however",
                              "under", "over", "after", "water", "cancer", "number", "member", "paper", "center",
                              "centre", "order", "liver", "disorder", "computer", "provider", "user", "layer",
                              "marker", "partner", "officer", "manager", "worker", "smoker", "drinker",
                              "teenager", "consumer", "register", "fever", "filter", "ulcer", "tumor", "matter",
                              "chapter", "danger", "powder", "finger", "master", "winter", "summer", "river",
                              "mother", "father", "daughter", "sister", "brother", "monster", "letter", "trigger"})
_SINGULAR_SUBJECTS = frozenset({"this", "that", "it", "which", "who"})
_VERB_PREFIXES = frozenset({"down", "up", "co", "re", "over", "under", "self", "pre", "de", "counter"})
_ADVERB_RE = lazy_regex(r"\w+ly$")


class _Sentence:
    """Tokens of a sentence with phrase lookups by position."""

    def __init__(self, text: str, rules: StrengthRules):
        self.toks = tokens(text)
        self.words = [t for t, _, _ in self.toks]
        self.starts = {s: i for i, (_, s, _) in enumerate(self.toks)}
        self.ends = {e: i for i, (_, _, e) in enumerate(self.toks)}
        self.rules = rules
        self._clauses: list[int] | None = None
        self._periods: list[int] | None = None

    def clause_of(self, i: int) -> int:
        """Number of the clause token ``i`` is in (clauses split at punctuation and "but", "which" ...)."""
        if self._clauses is None:
            clause, self._clauses = 0, []
            for word in self.words:
                if word in _CLAUSE_BREAK:
                    clause += 1
                self._clauses.append(clause)
        return self._clauses[i] if i < len(self._clauses) else -1

    def period_of(self, i: int) -> int:
        """Number of the stretch token ``i`` is in, split only where a new assertion starts
        (";", "but", "however", "whereas" ...), not at commas inside a list."""
        if self._periods is None:
            period, self._periods = 0, []
            for word in self.words:
                if word in _PERIOD_BREAKS:
                    period += 1
                self._periods.append(period)
        return self._periods[i] if i < len(self._periods) else -1

    def index_at(self, offset: int) -> int:
        return self.starts.get(offset, 0)

    def phrase_ending_at(self, last: int, phrases: frozenset[str]) -> int | None:
        """Start index of a listed phrase whose last token is ``last``."""
        if last < 0:
            return None
        for n in self.rules.lengths_ending(phrases).get(self.words[last], ()):
            if n <= last + 1 and " ".join(self.words[last - n + 1:last + 1]) in phrases:
                return last - n + 1
        return None

    def phrase_positions(self, phrases: frozenset[str]) -> list[int]:
        """Indices of the last token of every listed phrase in the sentence."""
        ends = self.rules.lengths_ending(phrases)
        return [i for i, word in enumerate(self.words) if word in ends and self.phrase_ending_at(i, phrases) is not None]


def _background_spans(sent: _Sentence) -> list[tuple[int, int]]:
    """Token spans whose relationships are earlier knowledge, not the finding reported.

    A background phrase ("previous research has linked", "it is well known that") governs the
    rest of its stretch, or of the opening concessive clause it stands in ("Although prior work
    showed X, this study shows Y"); "known to" governs only the verb it introduces ("a drug
    known to lower X was given"). A restating word earlier in the stretch ("our data confirm
    previous studies") makes the earlier finding part of what is reported.
    """
    spans = []
    concessive = None
    for end in sent.phrase_positions(sent.rules.background):
        start = sent.phrase_ending_at(end, sent.rules.background)
        if start is None:
            continue
        period = sent.period_of(start)
        if any(sent.period_of(e) == period for e in sent.phrase_positions(sent.rules.restating) if e < start):
            continue
        if sent.words[end] == "to":
            limit = end + 5  # the infinitive and a word or two before it: "known to substantially reduce"
        else:
            limit = end + 1
            while limit < len(sent.words) and sent.period_of(limit) == period:
                limit += 1
            if concessive is None:
                concessive = _concessive_span(sent) or (-1, -1)
            if concessive[0] <= start < concessive[1]:
                limit = min(limit, concessive[1])
        spans.append((end + 1, limit))
    return spans


def _in_background(sent: _Sentence, i: int, spans: list[tuple[int, int]]) -> bool:
    # a "known to" span (it follows "to") is the infinitive alone and stops at a comma
    return any(first <= i < limit and not (sent.words[first - 1] == "to" and
                                          any(w in _CLAUSE_BREAK for w in sent.words[first:i]))
               for first, limit in spans)


_NUMBER_WORDS = frozenset({"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twelve",
                           "fifteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
                           "hundred", "half", "a"})
_UNITS = frozenset({"year", "years", "month", "months", "week", "weeks", "day", "days", "hour", "hours", "minutes",
                    "percent", "per", "%", "times", "decades", "decade"})
# After "than previously": an earlier estimate, not a second group ("higher than previously thought").
_EARLIER_ESTIMATES = frozenset({"previously", "thought", "expected", "believed", "estimated", "assumed", "reported",
                                "predicted", "anticipated", "recognised", "recognized", "realised", "realized",
                                "suspected", "feared", "hoped", "originally", "initially", "once"})


def _compares_with_no_group(sent: _Sentence, cue: Cue) -> bool:
    """A comparison whose other side is an age bound ("children younger than 5 years") or an
    earlier estimate ("more common than previously thought"), not a second group."""
    i = sent.ends.get(cue.end)
    if i is None:
        return False
    than = i if sent.words[i] == "than" else i + 1
    if than + 1 >= len(sent.words) or sent.words[than] != "than":
        return False
    following = sent.words[than + 1:than + 3]
    if sent.words[than - 1] in ("younger", "older") and (
            following[0][:1].isdigit() or (following[0] in _NUMBER_WORDS and following[-1] in _UNITS)):
        return True  # an age bound that defines a population; a bound on a quantity stays a comparison
    return following[0] in _EARLIER_ESTIMATES or following[-1] in _EARLIER_ESTIMATES


_OBJECT_MODIFIERS = frozenset({"the", "our", "a", "an", "this", "these", "their", "its", "important", "new", "novel",
                               "further", "better", "valuable", "mixed", "additional", "current", "existing",
                               "growing", "scientific", "clinical", "more", "useful", "greater", "deeper", "much",
                               "conflicting", "inconsistent", "similar", "robust", "strong", "some"})


def _acts_on_research(sent: _Sentence, cue: Cue) -> bool:
    """ "contributes important information", "enhance our understanding of": the verb's object is
    a product of research, so the sentence describes the study, not an effect on health."""
    i = sent.ends.get(cue.end)
    if i is None:
        return False
    j = i + 1
    while j < len(sent.words) and j <= i + 3 and sent.words[j] in _OBJECT_MODIFIERS:
        j += 1
    return j < len(sent.words) and (sent.words[j] in sent.rules.research_products
                                    or " ".join(sent.words[j:j + 2]) in sent.rules.research_products)


def _helps_to_know(sent: _Sentence, cue: Cue) -> bool:
    """ "helps predict", "will help doctors identify": help towards knowing something, not an effect."""
    i = sent.ends.get(cue.end)
    if i is None:
        return False
    for j in range(i + 1, min(len(sent.words), i + 5)):
        word = sent.words[j]
        if word in sent.rules.epistemic_verbs:
            return True
        if word in _CLAUSE_BREAK or (word in sent.rules.no_object and word != "to"):
            return False
    return False


_COMPARATIVE_QUANTIFIERS = frozenset({"more", "less", "most", "least", "as", "twice", "times"})


def _outcome_of_comparison(sent: _Sentence, i: int) -> bool:
    """ "are more likely to survive", "most likely to be responsible for": the verb after "likely to"
    is the outcome compared between groups."""
    j = i - 1
    while j >= 0 and (_ADVERB_RE.match(sent.words[j]) or sent.words[j] in ("be", "have", "also")):
        j -= 1
    return (j >= 2 and sent.words[j] == "to" and sent.words[j - 1] == "likely"
            and sent.words[j - 2] in _COMPARATIVE_QUANTIFIERS)


def _is_goal_infinitive(sent: _Sentence, i: int) -> bool:
    """ "strategies to reduce": a causal verb after "to" that states an aim."""
    j = i - 1
    while j >= 0 and _ADVERB_RE.match(sent.words[j]) and sent.words[j] != "only":
        j -= 1
    if j < 0 or sent.words[j] != "to":
        return False
    before = j - 1
    if before < 0:
        return True  # "To reduce costs, ..."
    if sent.words[max(0, before - 3):before + 1] == ["for", "the", "first", "time"]:
        before -= 4  # "shown for the first time to reduce"
    return before < 0 or sent.phrase_ending_at(before, sent.rules.assertive_before_to) is None


def _is_nominal(sent: _Sentence, i: int, cue: Cue) -> bool:
    """ "the increase in", "with improved survival", "for reducing": not a finite verb."""
    if cue.group != "verb":
        return False
    j = i - 1
    skipped = 0
    while j >= 0 and skipped < 2 and (_ADVERB_RE.match(sent.words[j]) or sent.words[j] in ("significant", "further",
                                                                                          "greater", "marked")):
        j -= 1
        skipped += 1
    if j < 0:
        # a sentence opening with "Reduced ..." or "Increasing ..." describes, it does not assert
        return sent.words[i].endswith(("ed", "ing"))
    if sent.words[j] in _SINGULAR_SUBJECTS and sent.words[i].endswith("s") and sent.words[i] != cue.lemma.split()[0]:
        return False  # "this leads to", "that causes": a pronoun subject and its verb
    return sent.words[j] in sent.rules.nominalisers


def _next_word(sent: _Sentence, cue: Cue) -> str:
    i = sent.ends.get(cue.end)
    if i is None:
        return "."
    j = i + 1
    while j < len(sent.words) and _ADVERB_RE.match(sent.words[j]) and sent.words[j] not in ("only",):
        j += 1
    return sent.words[j] if j < len(sent.words) else "."


def _previous_word(sent: _Sentence, i: int) -> str:
    j = i - 1
    while j >= 0 and _ADVERB_RE.match(sent.words[j]):
        j -= 1
    return sent.words[j] if j >= 0 else ""


def _lacks_object(sent: _Sentence, i: int, cue: Cue) -> bool:
    """ "rates increased during 2010": a change reported, no cause asserted."""
    if cue.group != "verb":
        return False
    following = _next_word(sent, cue)
    if following == "by":
        return False  # "was reduced by the drug"
    words = cue.lemma.split()
    if len(words) > 1 and words[-1] not in _PARTICLES:
        return False  # "provide relief for": the phrase holds its own object
    return following in sent.rules.no_object


# Last words of phrasal verbs whose object follows them ("lead to X", "speed up X").
_PARTICLES = frozenset({"to", "in", "into", "with", "for", "off", "up", "down", "out", "against", "on", "from"})


_NOT_PLURAL = frozenset({"is", "was", "has", "this", "its", "his", "hers", "us", "thus", "less", "plus", "as",
                         "across", "always", "perhaps", "whereas", "does", "yes", "ours", "yours", "theirs"})


def _looks_plural(word: str) -> bool:
    return (len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")) and "'" not in word
            and word not in _NOT_PLURAL)


def _is_participle_adjective(sent: _Sentence, i: int, cue: Cue) -> bool:
    """ "showed reduced brain size", "have increased hearing loss": an -ed form describing a noun."""
    word = sent.words[i]
    if cue.group != "verb" or not word.endswith("ed") or " " in cue.lemma:
        return False
    previous = _previous_word(sent, i)
    if previous not in sent.rules.describing_verbs:
        return False
    if _perfect_tense(sent, i):
        return False
    return _next_word(sent, cue) not in sent.rules.object_starters


_MODALS = frozenset({"may", "might", "could", "would", "should", "will", "must", "to"})


# Subjects that have a condition rather than cause one: "patients had reduced bone density".
_BEARERS = frozenset("""patients people persons participants subjects adults children kids infants babies men women
    girls boys individuals mice rats animals cells users smokers survivors mothers fathers parents those they who
    he she we group groups cases controls athletes workers residents veterans teens adolescents""".split())


def _perfect_tense(sent: _Sentence, i: int) -> bool:
    """ "may have prevented", "the vaccine has reduced deaths": "have" makes the perfect tense, unless
    what comes before it is someone who has a condition ("patients had reduced bone density")."""
    j = i - 1
    while j >= 0 and _ADVERB_RE.match(sent.words[j]):
        j -= 1
    if j < 1 or sent.words[j] not in ("have", "has", "had"):
        return False
    before = sent.words[j - 1]
    if before in _MODALS:
        return True
    if sent.words[j] == "have" and before == "to":
        return True
    if any(w in _BEARERS for w in sent.words[max(0, j - 4):j]):
        return False
    return not _looks_plural(before) and before[:1].isalpha() and \
        before not in ("not", "also", "and", "or", "still", "often", "all", "both")


_CONCESSIVES = frozenset({"although", "though", "while", "whereas", "despite", "whilst", "albeit"})


def _concessive_span(sent: _Sentence) -> tuple[int, int] | None:
    """Token span of a concessive clause that opens the sentence ("Although ..., ")."""
    start = 0
    while start < len(sent.words) and sent.words[start] in ("however", "but", "and", ",", "even"):
        start += 1
    if start >= len(sent.words) or sent.words[start] not in _CONCESSIVES:
        return None
    for j in range(start + 1, len(sent.words)):
        if sent.words[j] in (",", ";", ":"):
            return start, j
    return None


def _is_weak(sent: _Sentence, i: int, cue: Cue) -> bool:
    """A causal cue that modifies a noun rather than makes the sentence's claim.

    "an infection caused by", "the effect of", "girls with conditions causing",
    "a condition that affects": such cues give way to a correlational cue or a
    hedged causal verb in the same sentence.
    """
    word = sent.words[i]
    if cue.group != "verb":
        if cue.lemma in _CAUSAL_ADJECTIVES:
            # "a protective variant", "a useful predictor": the adjective describes a noun
            following = _next_word(sent, cue)
            return following not in sent.rules.no_object and following not in _CAUSAL_NOUNS
        return cue.lemma.split()[0] in ("caused", "effect", "effects", "impact", "influence", "cause", "causes",
                                        "role", "due", "because", "leading", "induced", "driven", "mediated")
    if word.endswith("ing"):
        # "are increasing the risk": a progressive verb still asserts
        return _previous_word(sent, i) not in _PROGRESSIVE_AUXILIARIES
    if i > 0 and sent.words[i - 1] in ("that", "which", "who"):
        return True  # "a condition that affects 1 in 10 adults": a relative clause describes a noun
    if word.endswith("ed") and " " not in cue.lemma:
        previous = _previous_word(sent, i)
        if (previous in sent.rules.nominalisers or previous in sent.rules.describing_verbs or not previous
                or previous in _LIST_JOINERS) and not _perfect_tense(sent, i):
            return _next_word(sent, cue) not in sent.rules.object_starters
    return False


def _noun_use(sent: _Sentence, i: int, cue: Cue) -> bool:
    """ "significant increases in", "the impact": a noun-or-verb word used as a noun."""
    if cue.group != "verb" or cue.lemma not in sent.rules.noun_or_verb:
        return False
    word = sent.words[i]
    if word.endswith(("ed", "ing")) and word != cue.lemma:
        return False
    previous = _previous_word(sent, i)
    if previous in sent.rules.verbal_context:
        return False
    following = _next_word(sent, cue)
    if word != cue.lemma and word.endswith("s"):
        # "therapy increases oxygen" is a verb; "significant increases in" a noun
        return (previous in sent.rules.nominalisers or following in sent.rules.no_object
                or (_ADJECTIVE_RE.fullmatch(previous) is not None and previous not in _NOT_COMPARATIVE))
    if word == cue.lemma and _looks_plural(previous) and _next_word(sent, cue) not in sent.rules.no_object:
        return False  # "the cells repair cartilage": a plural subject before a base-form verb
    return _next_word(sent, cue) not in sent.rules.object_starters


# Causal adjectives: before a noun they describe it ("a protective factor"), after "is" they claim.
_CAUSAL_ADJECTIVES = frozenset({"effective", "efficacious", "beneficial", "harmful", "detrimental", "protective", "helpful",
                                "useful", "successful", "ineffective"})
# Words before an "-ed" form that make it one item of a list of noun phrases ("obese, raised blood pressure").
_LIST_JOINERS = frozenset({",", "but", "than", "as", "both", "either", "neither"})
# Nouns that keep a causal adjective causal: "the beneficial effects of", "protective against".
_CAUSAL_NOUNS = frozenset({"effect", "effects", "impact", "impacts", "role", "roles", "influence", "properties",
                           "benefit", "benefits", "against", "action", "actions", "outcome", "outcomes"})
_PROGRESSIVE_AUXILIARIES = frozenset({"is", "are", "was", "were", "be", "been", "am"})
# "the risk of": a correlational cue on its own, but the object of a causal word before it.
_RISK_NOUNS = frozenset({"risk of", "risk for", "risks of", "likelihood of", "chance of", "chances of"})


_RISK_MODIFIERS = frozenset({"the", "a", "an", "their", "his", "her", "its", "our", "your", "my", "high", "low",
                             "higher", "lower", "overall", "future", "absolute", "relative", "lifetime", "subsequent",
                             "long", "term", "short", "increased", "reduced"})
_RISK_PREPOSITIONS = frozenset({"in", "on", "of", "for", "about", "to", "with", "regarding", "determines",
                                "assess", "assessing", "estimate", "estimating", "predict", "predicting"})


_FACTOR_PREDICATES = frozenset({"is", "are", "was", "were", "be", "been", "as", "remain", "remains", "remained",
                                "identified", "emerged", "represent", "represents", "constitute", "constitutes",
                                "share", "shares", "shared", "major", "independent", "important", "key", "main",
                                "strongest", "modifiable"})


def _predicated_factor(sent: _Sentence, i: int, cue: Cue) -> bool:
    """ "X is a risk factor", "risk factors for stroke": a relationship stated, not a topic named."""
    if _next_word(sent, cue) in ("for", "of", "in", "among"):
        return True
    return any(w in _FACTOR_PREDICATES for w in sent.words[max(0, i - 4):i])


_GERUND_PREPOSITIONS = frozenset({"for", "in", "of", "by", "at", "towards", "toward", "on", "about", "despite",
                                  "without", "to", "from", "after", "before", "while", "when"})


def _gerund_after_preposition(sent: _Sentence, i: int) -> bool:
    """ "for reducing", "Increasing the dose ...": an activity named, not a change reported."""
    if not sent.words[i].endswith("ing"):
        return False
    if i > 0 and sent.words[i - 1] in _GERUND_PREPOSITIONS:
        return True
    following = sent.words[i + 1] if i + 1 < len(sent.words) else "."
    return following in sent.rules.object_starters


def _governed_by_preposition(sent: _Sentence, i: int) -> bool:
    """ "changes in the risk of", "effects on the risk of": the risk is named, not related to anything."""
    j = i - 1
    while j >= 0 and sent.words[j] in _RISK_MODIFIERS:
        j -= 1
    return j >= 0 and sent.words[j] in _RISK_PREPOSITIONS


def _object_of_causal(sent: _Sentence, i: int, cues: list[Cue]) -> bool:
    """Whether a causal cue ends at most three words before token ``i``."""
    for cue in cues:
        if cue.kind != "causal":
            continue
        end = sent.ends.get(cue.end)
        if end is not None and 0 < i - end <= 4:
            return True
    return False


# Verbs of care whose participles describe a procedure ("patients treated with"), not an effect.
_PROCEDURE_VERBS = frozenset({"treat"})
_SHARE_WORDS = frozenset({"%", "percent", "proportion", "percentage", "share", "part", "fraction", "majority",
                          "half", "third", "quarter", "most", "minority", "bulk", "portion"})
_APPROXIMATORS = frozenset({"about", "around", "approximately", "nearly", "almost", "over", "more", "less", "up",
                            "roughly", "some", "only", "just", "at"})


def _states_a_share(sent: _Sentence, cue: Cue) -> bool:
    i = sent.ends.get(cue.end)
    if i is None:
        return False
    following = sent.words[i + 1:i + 5]
    if not following:
        return False
    return (following[0][:1].isdigit() or following[0] in _APPROXIMATORS
            or any(w in _SHARE_WORDS for w in following))


_COORDINATORS = frozenset({",", "and", "or", "as", "well"})
_HARD_BREAKS = frozenset({";", ":", ".", "!", "?", "but", "however", "although", "whereas", "while", "which",
                          "who", "because", "though", "yet"})


def _coordinated(sent: _Sentence, previous: int, i: int) -> bool:
    """Whether the verb at ``i`` is a further conjunct of the verb at ``previous``."""
    if i - previous > 15 or i < 1 or sent.words[i - 1] not in _COORDINATORS:
        return False
    return not any(w in _HARD_BREAKS for w in sent.words[previous + 1:i])


_DIRECTIVE_REACH = 15
# Words that end a subject such as "strategies to reduce X" and start its predicate.
_SUBJECT_ENDERS = frozenset({"may", "might", "could", "can", "will", "would", "is", "are", "was", "were", "has",
                             "have", "had"})


_AUXILIARIES = frozenset({"is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "we", "they", "i", "authors", "experts",
                          "guidelines", "it", "not", "also", "strongly", "therefore", "thus"})
_AFTER_DIRECTIVE_VERB = frozenset({"to", "that", "for", "in", "as", "when", "if", "at", "before", "after", "on",
                                   "with", ".", ",", ";", ":"})


def _adjectival_participle(sent: _Sentence, d: int) -> bool:
    """ "recommended therapies", "drugs required by": a directive participle describing a noun."""
    word = sent.words[d]
    if not word.endswith("ed") or sent.phrase_ending_at(d, sent.rules.directives) != d:
        return False
    previous = sent.words[d - 1] if d > 0 else ""
    following = sent.words[d + 1] if d + 1 < len(sent.words) else "."
    if previous in _AUXILIARIES:
        return False
    return following == "by" or (following not in _AFTER_DIRECTIVE_VERB
                                 and following not in sent.rules.object_starters)


def _reports_a_finding(sent: _Sentence, d: int) -> bool:
    """ "have determined that X increases Y": a study verb with a "that" clause reports a result
    ("to determine whether" and "determined the effect of" stay aims)."""
    return (sent.words[d].endswith(("ed", "es")) and sent.words[d] in sent.rules.finding_verbs
            and sent.words[d + 1:d + 2] == ["that"])


def _third_person(word: str) -> bool:
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is"))


def _after_directive(sent: _Sentence, i: int, directive_ends: list[int], verb: bool = False) -> bool:
    """Whether a recommendation, aim or open question earlier in the clause governs token ``i``."""
    for d in directive_ends:
        if d < i <= d + _DIRECTIVE_REACH and not any(w in _CLAUSE_BREAK for w in sent.words[d + 1:i]):
            if sent.words[d] == "to" and (any(w in _SUBJECT_ENDERS for w in sent.words[d + 1:i])
                                          or (verb and i > d + 2 and _third_person(sent.words[i]))):
                # "interventions to cut X may reduce Y", "a diet designed to lower X also reduces Y":
                # the aim belongs to the subject; the later finite verb makes the claim
                continue
            if (verb and sent.words[d].endswith("ed") and sent.words[d + 1:d + 2] == ["to"] and i > d + 3
                    and _third_person(sent.words[i]) and not any(d < e < i for e in directive_ends)):
                continue  # "an algorithm aimed to speed diagnosis reduces scans": the same, with "aimed to"
            return True
    return False


_MODAL_REACH = 15
_HEDGING_ADVERBS = frozenset({"potentially", "possibly", "probably", "presumably", "plausibly", "conceivably",
                              "perhaps"})


def _after_can(sent: _Sentence, i: int) -> bool:
    """ "can reduce", "can also help to improve": the verb at ``i`` is governed by "can"."""
    for j in range(i - 1, max(-1, i - 5), -1):
        word = sent.words[j]
        if word == "can":
            return True
        if word in _CLAUSE_BREAK or not (_ADVERB_RE.match(word) or word in ("also", "help", "helps", "to", "be")):
            return False
    return False


_ASIDE_PAIRS = {")": "(", "—": "—", "–": "–"}


def _parenthesis_opening(sent: _Sentence, j: int) -> int | None:
    """Index of the bracket or dash that opens an aside closed at token ``j``, if the aside is
    short and the clause goes on after it."""
    opener = _ASIDE_PAIRS.get(sent.words[j])
    if opener is None or j + 1 >= len(sent.words) or sent.words[j + 1] in _CLAUSE_BREAK:
        return None
    for k in range(j - 1, max(-1, j - 20), -1):
        if sent.words[k] == opener:
            return k if k > 0 else None
        if sent.words[k] in _ASIDE_PAIRS or sent.words[k] in (";", ".", ":"):
            return None
    return None


def _conditional_before(sent: _Sentence, i: int) -> int | None:
    """Index of a conditional marker governing the cue at token ``i``."""
    covering = sent.phrase_ending_at(i, sent.rules.conditional_markers)
    if covering is not None and covering < i:
        return covering  # "can help" ends with the causal word itself
    j = i - 1
    steps = 0
    # A modal governs the rest of its clause ("may at least in part be responsible
    # for", "could play a crucial role in reducing"); an adverb such as
    # "potentially" only the words next to it ("potentially deadly clots").
    while j >= 0 and steps < _MODAL_REACH:
        if sent.words[j] in _CLAUSE_BREAK:
            opening = _parenthesis_opening(sent, j)
            if opening is None:
                return None
            j = opening - 1  # "could help people (or their carers) lower": the aside does not end the clause
            continue
        start = sent.phrase_ending_at(j, sent.rules.conditional_markers)
        if start is not None:
            # "more likely" compares groups; it does not soften a cause
            if sent.words[start] == "likely" and start > 0 and sent.words[start - 1] in ("more", "less", "most"):
                return None
            if start == j and sent.words[j] in _HEDGING_ADVERBS and steps > 2:
                j -= 1
                steps += 1
                continue
            return start
        j -= 1
        steps += 1
    return None


@lru_cache(maxsize=8192)
def _strength_cached(text: str, lexicon: CueLexicon, rules: StrengthRules) -> Strength:
    cues = find_cues(text, lexicon)
    hedges = [c for c in cues if c.kind == "hedge"]
    boosters = [c for c in cues if c.kind == "booster"]
    negations = [c for c in cues if c.kind == "negation"]
    sent = _Sentence(text, rules)
    if text.rstrip().rstrip('"\'”’').endswith("?"):
        # a question asserts nothing
        return Strength(NO_RELATIONSHIP, [], hedges, boosters, False)
    directive_ends = [d for d in sent.phrase_positions(rules.directives)
                      if not _adjectival_participle(sent, d) and not _reports_a_finding(sent, d)]
    # "the relationship between A, B and C deserves further study": the agenda governs the
    # whole stretch, across the commas of a list
    agenda_ends = sent.phrase_positions(rules.agenda)
    agenda_clauses = {sent.clause_of(i) for i in agenda_ends}
    agenda_periods = {sent.period_of(i): i for i in agenda_ends}
    reporting_ends = sent.phrase_positions(rules.reporting_hedges)
    background = _background_spans(sent)

    direct: list[Cue] = []
    conditional: list[Cue] = []
    correlational: list[Cue] = []
    changes: list[Cue] = []
    weak: set[int] = set()
    last_verb: tuple[int, bool] | None = None
    for cue in cues:
        if cue.kind not in ("causal", "correlational"):
            continue
        i = sent.index_at(cue.start)
        if (sent.clause_of(i) in agenda_clauses or _subject_of_agenda(sent, i, cue, agenda_periods)
                or _after_directive(sent, i, directive_ends, cue.group == "verb")
                or _in_background(sent, i, background)):
            continue
        if (cue.start > 1 and text[cue.start - 1] == "-" and text[cue.start - 2].isalnum() and i > 0
                and sent.words[i - 1] not in _VERB_PREFIXES):
            continue  # "vacuum-assisted", "tamoxifen-treated": part of a compound modifier
        if cue.kind == "correlational":
            if cue.lemma in _RISK_NOUNS and _object_of_causal(sent, i, cues):
                continue  # "increases the risk of": the risk is what the cause acts on
            if cue.lemma in ("risk factor", "risk factors") and not _predicated_factor(sent, i, cue):
                continue  # "data on common risk factors": the factors are named, not related to anything
            if cue.lemma in _RISK_NOUNS and (_next_word(sent, cue) in ("bias", "error", "confounding")
                                             or _governed_by_preposition(sent, i)):
                continue  # "a high risk of bias" grades a study; "the role of X in the risk of" names an outcome
            if cue.group == "comparison" and _compares_with_no_group(sent, cue):
                continue  # "children younger than 5", "higher than previously thought": no second group
            correlational.append(cue)
            continue
        if _is_goal_infinitive(sent, i):
            continue
        if _outcome_of_comparison(sent, i):
            continue  # "smokers are more likely to benefit": what one group does more often, not a cause
        if cue.group == "verb" and _acts_on_research(sent, cue):
            continue  # "the study contributes information", "enhances our understanding": research, not health
        if cue.lemma == "help" and _helps_to_know(sent, cue):
            continue  # "helps predict", "helps surgeons predict": a tool claim
        if cue.lemma == "account for" and _states_a_share(sent, cue):
            continue  # "accounts for 30% of cases": a share, not an explanation
        if cue.lemma in _PROCEDURE_VERBS and sent.words[i].endswith(("ed", "ing")) and \
                _next_word(sent, cue) not in rules.object_starters:
            continue  # "patients treated with X", "when treating children": what was done, not what it did
        noun_of_cause = False
        if (_is_nominal(sent, i, cue) or _lacks_object(sent, i, cue) or _noun_use(sent, i, cue)
                or _is_participle_adjective(sent, i, cue)):
            if cue.lemma in _CAUSAL_NOUNS and sent.words[i] in _CAUSAL_NOUNS:
                noun_of_cause = True  # "a marked impact on", "the influence of": a cause named as a noun
            else:
                # "an increase in", "rates fell during": a change observed, not a cause claimed;
                # "strategies for reducing" names an activity, no change at all
                if cue.lemma in rules.change_verbs and not _gerund_after_preposition(sent, i):
                    changes.append(cue)
                continue
        hedged = _conditional_before(sent, i) is not None or any(r < i for r in reporting_ends)
        if not hedged and last_verb is not None and _coordinated(sent, last_verb[0], i):
            hedged = last_verb[1]  # "could lead to X, reduce Y and raise Z": the modal carries over
        (conditional if hedged else direct).append(cue)
        if cue.group == "verb":
            last_verb = (i, hedged)
        if noun_of_cause or _is_weak(sent, i, cue):
            weak.add(id(cue))

    concessive = _concessive_span(sent)
    if concessive:
        # "Although X may impair Y, Z was not associated with W": the main clause makes the claim
        inside = lambda c: concessive[0] <= sent.index_at(c.start) < concessive[1]
        if any(not inside(c) for c in direct + conditional + correlational):
            direct = [c for c in direct if not inside(c)]
            conditional = [c for c in conditional if not inside(c)]
            correlational = [c for c in correlational if not inside(c)]
            changes = [c for c in changes if not inside(c)]
    if correlational:
        # a causal word that only modifies a noun does not outrank a stated association
        direct = [c for c in direct if id(c) not in weak]
        conditional = [c for c in conditional if id(c) not in weak]
    if conditional and any(c.group == "verb" and id(c) not in weak for c in conditional):
        # "may reduce the risk ... a protective effect": the hedged verb makes the claim
        direct = [c for c in direct if c.group == "verb" and id(c) not in weak]
    elif conditional and any(id(c) not in weak for c in conditional):
        # "medicines which raise dopamine may hold the key to": the relative clause only describes
        direct = [c for c in direct if id(c) not in weak]

    if direct:
        level, deciding = DIRECT_CAUSAL, direct
    elif conditional:
        level, deciding = CONDITIONAL_CAUSAL, conditional
    elif correlational or changes:
        level, deciding = CORRELATIONAL, correlational or changes
    else:
        level, deciding = NO_RELATIONSHIP, []
    negated = any(n.scope_start <= c.start < max(n.scope_end, n.scope_start + 1) or
                  (n.group == "post" and n.scope_start <= c.start < n.start)
                  for n in negations for c in deciding)
    ability = level == DIRECT_CAUSAL and any(_after_can(sent, sent.index_at(c.start)) for c in deciding)
    return Strength(level, deciding, hedges, boosters, negated, ability)


def claim_strength(text: str, lexicon: CueLexicon | None = None, rules: StrengthRules | None = None) -> Strength:
    """The 0-3 claim strength of one sentence (or clause)."""
    return _strength_cached(text, lexicon or load_cues(), rules or load_strength_rules())
