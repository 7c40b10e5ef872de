"""Which pieces of the copy are claims, and what kind of claim each is.

Recall comes first: every sentence, heading, title, description, alt text,
list item and table cell that asserts something is a claim, whatever its
length or verb. A piece is passed over only when it is positively not a
claim: a question, a greeting, navigation, legal boilerplate, a disclaimer,
a call to action or instruction, contact, ordering or opening details, or a
topic or label with no predicate ("Our services", "Knee pain"). Whatever is
passed over is listed with its reason, so a reviewer sees what was skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from claimaudit.claims.anatomy import (
    BUSINESS_FACT,
    MARKET_POSITION,
    CALL_TO_ACTION as _CALL_TO_ACTION,
    COMPARATIVE,
    CONTACT as _CONTACT,
    FIRST_PERSON_BUSINESS,
    TESTIMONIAL,
    Part,
    Statement,
    analyse,
    compound_parts,
    remembered,
    sentences,
)
from claimaudit.language import Quantity, lazy_re
from claimaudit.model import Block, Document, NotAudited

CLAIM_TYPES = (
    "figure",
    "efficacy",
    "safety",
    "regulatory",
    "establishment",
    "comparative",
    "business",
    "testimonial",
    "mechanism",
    # An assertion of no other type ("Sessions are led in small groups."): still
    # a claim, and supported only when a source says so.
    "general",
)

# Why a piece of copy is not a claim. Stable wording: reports and tests show it.
QUESTION = "a question"
GREETING = "a greeting"
LEGAL = "legal boilerplate (copyright, cookies, privacy, terms)"
DISCLAIMER = "a disclaimer"
NAVIGATION = "navigation"
CALL_TO_ACTION = "a call to action"
INSTRUCTION = "an instruction"
CONTACT = "contact details"
LOGISTICS = "ordering, delivery or opening details"
LABELLED = "page furniture (a labelled detail)"
TOPIC_QUESTION = "a topic heading (an indirect question)"
NO_PREDICATE = "a topic or label with no predicate"
CITED_SUMMARY = "a cited research summary: read as a source, not as copy"

# The same "no predicate" judgement, worded for where the text stood.
_NO_PREDICATE_BY_SCOPE = {
    "heading": "a topic heading with no predicate",
    "title": "a page title with no predicate",
    "meta": "a page description with no predicate",
    "alt": "an image description with no predicate",
    "table": "a table label with no predicate",
}


@dataclass
class Claim:
    """A claim found in a document, with offsets into ``Document.text``."""

    document: Document
    block: Block
    text: str
    start: int
    end: int
    statement: Statement

    @property
    def claim_type(self) -> str:
        return self.statement.claim_type


# --- what is positively not a claim -------------------------------------------------

# Usage directions and other instructions: they tell the reader what to do and
# assert nothing checkable ("Take one capsule daily with food.").
INSTRUCTIONS = lazy_re(
    r"^(?:please\s+)?(?:use|take|apply|see|add|order|leave|talk|speak|buy|shop|compare|store|avoid|remember|meet|"
    r"check|consult|keep|rinse|wash|swallow|chew|place|insert|wear|charge|pair|install|open|start\s+(?:your|today|now|with)|"
    r"drink|eat|massage|give|mix|spray|dissolve|shake|stir|inhale|spread|rub|brush|floss|gargle|sip|dilute|follow|"
    r"let|wait|discontinue|stop\s+using|hold|press|attach|connect|switch|clean|remove|read|tell|repeat|"
    r"try\s+(?:it|our|one|the)|do\s+not|don['’]t|never\s+(?:use|take|apply|exceed))\b",
    re.IGNORECASE,
)
MORE_CALLS = lazy_re(
    r"^(?:stay\s+(?:informed|in\s+touch|up\s+to\s+date|connected)|discover|explore|browse|view|watch|listen|"
    r"enter|claim\s+your|grab|save\s+(?:now|today|\d)|add\s+to\s+(?:basket|cart|bag)|checkout|"
    r"let['’]s\s+talk|get\s+(?:a|an|the)\s+(?:quote|free)|enquire|inquire|apply\s+(?:now|today|online))\b",
    re.IGNORECASE,
)
# Imperatives that promise a result ("See new growth in 12 days", "Feel the difference
# from the first night"): a claim when they say what the result is.
RESULT_IMPERATIVE = lazy_re(
    r"^(?:see|feel|notice|enjoy|experience|discover|get|achieve|wake\s+up|say\s+goodbye|rediscover|reclaim|"
    r"regain|restore|unlock|transform|love)\b", re.IGNORECASE)
# Warnings a label must carry: they protect, they promise nothing.
STATUTORY = lazy_re(
    r"varied,?\s+(?:and\s+)?balanced\s+diet|do\s+not\s+exceed\s+the\s+(?:recommended|stated)|"
    r"keep\s+out\s+of\s+(?:the\s+)?(?:sight\s+and\s+)?reach\s+of|if\s+symptoms\s+persist|always\s+read\s+the\s+label|"
    r"not\s+suitable\s+for\s+(?:children|pregnant|anyone)|if\s+you\s+are\s+pregnant|stop\s+using\s+(?:it\s+)?if",
    re.IGNORECASE,
)
# Page furniture written as "Label: value".
LABELLED_INFO = lazy_re(
    r"^(?:opening\s+hours|hours|address|phone|telephone|tel|fax|email|e-mail|location|directions|parking|price|prices|"
    r"ingredients|directions\s+for\s+use|dosage|storage|warnings?|sku|size|weight|contents|rrp)\s*:", re.IGNORECASE)
GREETINGS = lazy_re(
    r"^(?:welcome|thank\s+you|thanks|hello|hi|hey|greetings|dear|good\s+(?:morning|afternoon|evening)|"
    r"you\s+have\s+successfully|see\s+you\s+soon|happy\s+\w+day)\b",
    re.IGNORECASE,
)
LEGAL_LINES = lazy_re(
    r"©|\(c\)\s*\d{4}|\bcopyright\b|\ball\s+rights\s+reserved\b|\bprivacy\s+(?:policy|notice|statement|settings)\b|"
    r"\b(?:we\s+use|uses?|accept(?:\s+all)?|manage|allow|reject)\s+(?:our\s+)?cookies\b|\bcookies?\s+(?:policy|settings|preferences|notice|consent)\b|"
    r"\bterms\s+(?:of\s+(?:use|service|sale)|and\s+conditions|&\s+conditions)\b|\bt\s*&\s*cs?\b|"
    r"\bregistered\s+(?:in\s+england|office|company|charity)|\bcompany\s+(?:no\.?|number|registration)|"
    r"\bvat\s+(?:no\.?|number|reg)|\btrademarks?\s+of\b|\baccessibility\s+statement\b|\bmodern\s+slavery\b",
    re.IGNORECASE,
)
NAVIGATION_PHRASES = lazy_re(
    r"^(?:back\s+to\s+(?:top|home|the\s+\w+)|skip\s+to\s+(?:main\s+)?content|read\s+more|see\s+(?:all|more)|"
    r"view\s+(?:all|more)|show\s+(?:all|more)|load\s+more|next|previous|prev|page\s+\d+(?:\s+of\s+\d+)?|"
    r"related\s+(?:posts|articles|products|reading|links)|you\s+(?:might|may)\s+also\s+like|more\s+from\s+\w+|"
    r"best[-\s]sellers?|recommended\s+(?:reading|for\s+you|products|articles)|shop\s+(?:all|by|now))\b"
    r"|\byou\s+(?:might|may)\s+(?:also\s+)?like\s*$",
    re.IGNORECASE,
)
# Ordering, delivery, stock, prices and opening times: logistics, not claims about the product.
LOGISTICS_LINES = lazy_re(
    r"\b(?:free\s+(?:delivery|shipping|returns?|postage|p&p|samples?)|shipping|dispatch(?:ed)?|postage|"
    r"(?:fast|next[-\s]day|express|standard|tracked|home|uk|worldwide|international)\s+delivery|"
    r"delivery\s+(?:is|takes|within|in\s+\d|on\s+orders|to|charges?|costs?|times?|options?|information|details)|"
    r"ships?\s+(?:within|in|free|worldwide|to|from|next|same|the\s+same)|shipped\s+(?:within|in|from)|"
    r"working\s+days?|next[-\s]day|same[-\s]day|click\s*(?:&|and)\s*collect|"
    r"returns?\s+policy|(?:in|out\s+of)\s+stock|orders?\s+(?:over|above|placed)|checkout|basket|"
    r"(?:open|closed)\s+(?:on\s+)?(?:mondays?|tuesdays?|wednesdays?|thursdays?|fridays?|saturdays?|sundays?|daily|"
    r"weekdays|weekends|bank\s+holidays|7\s+days|seven\s+days|every\s+day|from\s+\d)|opening\s+(?:hours|times)|"
    r"\d{1,2}(?::\d{2})?\s*(?:am|pm)\s*(?:-|–|to)\s*\d{1,2}(?::\d{2})?\s*(?:am|pm)|"
    r"(?:save|get)\s+\d+\s*%|\d+\s*%\s+off\b|discount\s+code|promo(?:tion)?\s+code|voucher|"
    r"prices?\s+(?:from|start)|from\s+[£$€]\s?\d|[£$€]\s?\d+(?:\.\d\d)?\s+(?:per|a|each)\s+(?:month|session|bottle|pack|visit)|"
    r"parking|wheelchair\s+access|nearest\s+(?:station|stop)|directions\s+to)\b",
    re.IGNORECASE,
)
# A postal address: a number, a name, then a street word.
ADDRESS = lazy_re(
    r"\b\d{1,5}[a-z]?\s+(?:[A-Z][\w'’-]*\s+){1,4}(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Way|Drive|Dr|Boulevard|Blvd|"
    r"Square|Sq|Place|Pl|Court|Ct|Close|Crescent|Terrace|Parade|Park|Highway|Hwy|Suite)\b"
    r"|\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b",
)
NAV_SEPARATOR = lazy_re(r"\s[·•|»›]\s")
# A heading that names a topic as an indirect question ("How it works", "Why choose us").
TOPIC_QUESTIONS = lazy_re(r"^(?:how|what|why|where|when|who|which|whether)\b", re.IGNORECASE)
TERMINAL = lazy_re(r"[.!…][\"'’”)\]]*$")
ENDS_IN_QUESTION = lazy_re(r"\?[\"'’”)\]]*$")

# --- what asserts something -------------------------------------------------------

# Verbs that assert an effect or a property even where the cue lexicon does
# not rate them ("regrow", "lasts", "works", "stays off").
EFFECT_WORDS = lazy_re(
    r"\b(?:regrows?|regrew|regrown|restores?|restored|repairs?|repaired|heals?|healed|whitens?|whitened|damages?|"
    r"rebuilds?|rebuilt|regenerates?|regenerated|fades?|faded|clears?|cleared\s+up|tightens?|firms?|smooths?|"
    r"thickens?|lifts?|calms?|soothes?|sharpens?|brightens?|energi[sz]es?|detox(?:es)?|balances?|plumps?|hydrates?|"
    r"works?|worked|lasts?|lasted|stays?|stayed|keeps?\s+\w+\s+off|helps?|helped|supports?|protects?|boosts?|"
    r"strengthens?|rejuvenates?|renews?|revers(?:es?|ed)|stops?|slows?|prevents?|relieves?|eases?|improves?|"
    r"reduces?|lowers?|raises?|speeds?\s+up|sped\s+up|accelerates?|shortens?|increases?|decreases?|produced?|produces|resets?|ends?|ended|gets?\s+rid|"
    r"sleep\s+better|feel\s+better|lose|loses|lost|gain(?:s|ed)?|cuts?|fights?|treats?|cures?|"
    r"will\s+\w+|never\s+(?:feel|get|have|causes?)|(?:is|are)\s+(?:gentle|safe|effective|proven|clinically|free))\b",
    re.IGNORECASE,
)
# Effects strong enough to make a claim of whatever they stand in.
STRONG_EFFECTS = lazy_re(
    r"\b(?:cur(?:e|es|ed|ing)|heal(?:s|ed|ing)?|regr(?:ow|ows|ew|own|owing)|restor(?:e|es|ed|ing)|repair(?:s|ed|ing)?|"
    r"revers(?:e|es|ed|ing)|reliev(?:e|es|ed|ing)|eliminat(?:e|es|ed|ing)|prevent(?:s|ed|ing)?|rebuil(?:d|ds|t|ding)|"
    r"regenerat(?:e|es|ed|ing)|eradicat(?:e|es|ed|ing)|(?:pain|symptom|drug|acne)[-\s]free|no\s+side[-\s]effects?|"
    r"guarantee[sd]?)\b",
    re.IGNORECASE,
)
STUDY_BACKING = lazy_re(
    r"\b(?:backed|supported|proven|tested|validated)\s+by\s+(?:[\w-]+\s+){0,4}?"
    r"(?:studies|study|trials?|research|science|data|evidence|experts|doctors)\b", re.IGNORECASE)
PERMANENCE = lazy_re(r"\b(?:for\s+life|lifelong|for\s+good|permanently|forever)\b", re.IGNORECASE)
DURABILITY = lazy_re(
    r"\b(?:for\s+life|lifelong|for\s+good|permanently|forever|for\s+years|for\s+months|long[-\s]term|"
    r"from\s+the\s+(?:very\s+)?first\s+(?:night|day|session|use)|overnight|instantly|immediately)\b",
    re.IGNORECASE,
)
# Words that make even a verbless heading assert something ("Clinically proven",
# "Safe for children", "Pain-free in a week", "100% natural").
CLAIM_WORDS = lazy_re(
    r"\b(?:proven|guaranteed?|clinically|scientifically|dermatologically|tested|approved|cleared|certified|licensed|"
    r"registered|accredited|recommended|endorsed|award[-\s]winning|safe|safer|safest|effective|all[-\s]natural|"
    r"100%\s+natural|painless|non[-\s]invasive|risk[-\s]free|best|#1|no\.?\s*1|number\s+one|leading|"
    r"fastest|faster|fast[-\s]acting|rapid|instant|lasting|long[-\s]lasting|permanent|breakthrough|miracle|"
    r"revolutionary|superior|stronger|strongest|world[-\s]first|first[-\s]ever|dramatic|"
    r"(?:fast|quick|rapid|instant|lasting|real|visible|noticeable|dramatic|natural|proven)\s+(?:relief|results?|"
    r"recovery|healing|repair|improvement|difference|change)|ce[-\s]marked|results\s+in|relief\s+(?:from|for)|"
    r"(?:in|within)\s+(?:minutes|seconds|hours|days|weeks|no\s+time)|free\s+(?:from|of)\s+\w+|(?:pain|drug|symptom|side[-\s]effect|acne|itch|"
    r"wrinkle|toxin|chemical|cruelty|surgery|scar|needle)[-\s]free|no\s+(?:side[-\s]effects?|pain|risk|downtime|"
    r"surgery|needles?|recovery\s+time))\b|#1",
    re.IGNORECASE,
)
# A finite verb or copula: a clause, not a name.
AUXILIARY = lazy_re(
    r"\b(?:am|is|are|was|were|be|been|has|have|had|does|did|can|could|will|would|shall|should|may|might|must|"
    r"isn['’]t|aren['’]t|wasn['’]t|weren['’]t|hasn['’]t|haven['’]t|doesn['’]t|didn['’]t|can['’]t|cannot|won['’]t|"
    r"wouldn['’]t|shouldn['’]t)\b"
    r"|\b(?:it|that|there|here|what|who|he|she|this|everyone|everything|nothing|something|we|you|they|i)"
    r"['’](?:s|re|ll|ve|d|m)\b",
    re.IGNORECASE,
)
# A pronoun subject followed by a word: "we treat", "you feel", "they say".
PRONOUN_CLAUSE = lazy_re(r"\b(?:i|we|you|they|he|she|it|who)\s+[a-z]+", re.IGNORECASE)
PRONOUN_START = lazy_re(r"^(?:i|we|you|they|he|she|it)\s+[a-z]+", re.IGNORECASE)
# A pronoun after a noun opens a relative clause: "Conditions we treat".
MID_PRONOUN = lazy_re(r"(?<=\w)\s+(?:i|we|you|they|he|she)\b", re.IGNORECASE)
# A name, then a verb: "Follina thickens hair", "Stridefit relieves heel pain" (not
# "Patient stories from our clinic").
NAME_THEN_VERB = lazy_re(
    r"^(?:[A-Z][\w'’-]*\s+){1,3}(?![a-z]+(?:ss|us|is|ics|ous|ness)\b)[a-z]{2,}s\s+"
    r"(?!(?:of|from|for|in|at|with|about|on|by|and|or|to|&)\b)\w")
# A participle phrase that asserts: "Backed by large studies", "Made with real fruit".
PARTICIPLE_PHRASE = lazy_re(
    r"^(?:[a-z]+ly\s+)?(?:[a-z]+ed|made|built|grown|known|worn|shown|proven|given|taken|chosen|brought|held|kept|"
    r"sold|used)\s+(?:by|with|in|for|from|using|on|at|across|to|against)\b", re.IGNORECASE)
# In a sentence, a word shaped like a finite verb inside it: "Brightfin lifts reading
# scores." (not a plural that ends it, "Details about sessions.", nor "sclerosis").
FINITE_SHAPE = lazy_re(
    r"\b[a-z]+ed\b|(?<=\s)(?![a-z]+(?:ss|us|is|ics|ous|ness|less)\b)[a-z]{3,}s(?=\s+\w)")
# A question written without its mark: "Is it right for you".
INVERTED_QUESTION = lazy_re(
    r"^(?:is|are|was|were|do|does|did|can|could|will|would|should|shall|may|might|must|has|have)\s+"
    r"(?:it|this|that|there|i|we|you|they|he|she|my|your|our|the|a|an)\b", re.IGNORECASE)
# Prose runs on: a piece this long without a full stop is a sentence, not a heading.
SENTENCE_WORDS = 8
# Common verbs of copy, in any form: in a sentence that ends like one, such a
# word reads as its verb ("Sessions last an hour.", "Our nurses visit you at home.").
_VERBS = (
    "accept achieve act add affect aim allow apply arrive ask assess attend avoid become begin believe belong "
    "benefit blend boost bring build buy calm care carry cause change check choose clean close combine come "
    "compare complete contain continue control cost count cover create cut deal decide deliver depend design "
    "detect develop die do drink drive earn eat enable encourage enjoy ensure enter exist expect explain face "
    "fall feel fill find finish fit fix flow focus follow form gain get give go grow guide happen hold hope "
    "include involve join keep know last lead learn leave let like limit link live look lose love make manage "
    "mean measure meet mix move need notice offer open operate own pay perform plan play prefer prepare "
    "prescribe produce promote provide publish put reach read receive recommend recover reduce refer relax "
    "release rely remain remove replace report require respond rest result return reveal rise run say see "
    "seem sell send serve set settle share show sit sleep soothe source specialise specialize spend stand "
    "start stay stop suffer suit supply support take talk target teach tell tend test thank think train "
    "travel treat try turn understand use visit wait walk want watch wear welcome win work write"
).split()
_IRREGULAR_PASTS = (
    "began begun became brought built bought came chose chosen did done drank drunk drove driven ate eaten "
    "fell fallen felt found gave given got gotten went gone grew grown held kept knew known led left lost made "
    "meant met paid put ran rose risen said saw seen sold sent set showed shown sat slept spent stood took taken "
    "told thought understood wore worn won wrote written"
).split()


@lru_cache(maxsize=1)
def verb_forms() -> "re.Pattern[str]":
    """Every form of the common verbs, compiled on first use (a warm check served
    from the cache never needs it)."""
    forms: set[str] = set(_IRREGULAR_PASTS)
    for verb in _VERBS:
        forms.add(verb)
        forms.add(verb + "es" if verb.endswith(("s", "x", "z", "ch", "sh", "o")) else
                  verb[:-1] + "ies" if verb.endswith("y") and verb[-2] not in "aeiou" else verb + "s")
        forms.add(verb + "d" if verb.endswith("e") else
                  verb[:-1] + "ied" if verb.endswith("y") and verb[-2] not in "aeiou" else verb + "ed")
    return re.compile(r"\b(?:" + "|".join(sorted(forms, key=len, reverse=True)) + r")\b", re.IGNORECASE)


WORD = lazy_re(r"[^\W\d_]{2,}")
_FIGURE_KINDS_OF_NOTE = frozenset({"percent", "share", "ratio", "duration", "multiplier", "count", "money"})


def _figures(statement: Statement) -> list[Quantity]:
    return [q for q in statement.quantities if q.kind not in {"identifier", "horizon", "year"}]


# Words that, before a symptom or condition, promise it goes or shrinks.
PROMISED_END = lazy_re(r"\b(?:no\s+more|goodbye(?:\s+to)?|bye\s+bye|farewell\s+to|the\s+end\s+of|an\s+end\s+to|"
                       r"say\s+goodbye|free\s+(?:of|from)|(?:zero|less|fewer|no)\s+(?=\w))", re.IGNORECASE)


def _claim_signal(statement: Statement, limit: int) -> bool:
    """Whether the words assert an effect, a property, a status or a figure, verb or no verb.

    Verbs count only before ``limit`` (where a relative clause starts: the
    "treat" of "Conditions we treat" names the topic, it asserts nothing).
    """
    text = statement.text
    if any(c.start < limit and not _nominal(c.text) for c in statement.cues
           if c.kind in ("causal", "booster", "correlational")):
        return True
    if EFFECT_WORDS.search(text, 0, limit) or DURABILITY.search(text) or CLAIM_WORDS.search(text):
        return True
    if MARKET_POSITION.search(text):
        return True
    attribution = statement.attribution
    if attribution.vague or attribution.named_sources:
        return True
    if PROMISED_END.search(text, 0, limit) and (statement.canon("outcomes") or statement.canon("conditions")):
        # "No more joint pain.", "Goodbye knee pain.", "Less pain, more life.": a promise without a verb.
        return True
    # A figure asserts something when words say what it counts ("42% less pain"), not alone ("Week 12").
    figures = [q for q in _figures(statement) if q.kind in _FIGURE_KINDS_OF_NOTE]
    if figures:
        outside = text
        for q in figures:
            outside = outside.replace(q.text, " ")
        return bool(WORD.search(outside))
    return False


# Cue words that, without a verb, name a topic: "The Role of Immune Cells", "Benefits of Curcumin".
NOMINAL_CUE_WORDS = frozenset({
    "role", "roles", "effect", "effects", "impact", "impacts", "benefit", "benefits", "link", "links",
    "association", "associations", "influence", "contribution", "relationship", "connection", "response",
})


def _nominal(cue_text: str) -> bool:
    words = cue_text.split()
    return bool(words) and words[0].lower() in NOMINAL_CUE_WORDS


def _has_predicate(text: str, sentence_like: bool) -> bool:
    """Whether the text holds a clause.

    In a sentence (it ends like one, or runs long) a copula, an auxiliary, a
    pronoun subject or any common verb will do. A heading-like fragment needs
    a pronoun subject first ("We treat the cause") or a copula or auxiliary
    outside a relative clause (the caller cuts ``text`` where one starts):
    "Recovery is quick" asserts, "Things you should know" names a topic.
    """
    if NAME_THEN_VERB.match(text) or PARTICIPLE_PHRASE.match(text):
        return True
    if sentence_like:
        return bool(AUXILIARY.search(text) or PRONOUN_CLAUSE.search(text) or verb_forms().search(text)
                    or FINITE_SHAPE.search(text))
    return bool(PRONOUN_START.match(text) or AUXILIARY.search(text))


def _strong_signal(statement: Statement) -> bool:
    """An effect, status or endorsement strong enough to keep a call to action, a
    contact line or a "How ..." heading as a claim ("Call now to be pain-free in a
    week", "How FlexiCur cures arthritis"); "save", "works" and "improve your
    experience" are not."""
    text = statement.text
    if statement.cues_of("booster"):
        return True
    if statement.cues_of("causal") and (statement.canon("conditions") or statement.canon("outcomes")):
        return True
    if STRONG_EFFECTS.search(text) or PERMANENCE.search(text) or MARKET_POSITION.search(text):
        return True
    return bool(statement.attribution.vague or getattr(statement.terms, "regulatory", None))


def _promise_in_a_call(statement: Statement) -> bool:
    """What keeps a call to action a claim: a strong promise ("Book now and be pain-free for
    good"), not a mild one ("to learn how our care can help")."""
    text = statement.text
    if statement.cues_of("booster") or STRONG_EFFECTS.search(text) or PERMANENCE.search(text):
        return True
    return bool(statement.attribution.vague or getattr(statement.terms, "regulatory", None))


def _states_an_effect(statement: Statement) -> bool:
    """An effect or figure that makes a "How ..." heading a claim ("How FlexiCur cures
    arthritis"), where "works", "says" and "the studies found" only name a topic."""
    if statement.cues_of("booster") or _figures(statement) or STRONG_EFFECTS.search(statement.text):
        return True
    return bool(statement.cues_of("causal") and (statement.canon("conditions") or statement.canon("outcomes")))


def non_claim_reason(statement: Statement) -> str:
    """Why the text is positively not a claim, or "" when it may assert something."""
    text = statement.text.strip()
    if not text:
        return NO_PREDICATE
    if ENDS_IN_QUESTION.search(text):
        return QUESTION
    if _navigation(text) or NAVIGATION_PHRASES.search(text):
        return NAVIGATION
    if LEGAL_LINES.search(text):
        return LEGAL
    strong = _strong_signal(statement)
    readable = _unmasked_length(statement)
    if statement.disclaimers and (readable < 0.4 * len(text) or statement.disclaimers[0][0] <= 1) \
            and not _signal_outside(statement):
        return DISCLAIMER
    if STATUTORY.search(text) and not strong:
        return DISCLAIMER
    if GREETINGS.match(text) and not strong:
        return GREETING
    if LABELLED_INFO.match(text):
        return LABELLED
    promise = bool(RESULT_IMPERATIVE.match(text)) and _claim_signal(statement, len(text))
    if (_CALL_TO_ACTION.match(text) or MORE_CALLS.match(text)) and not _promise_in_a_call(statement) \
            and not promise:
        return CALL_TO_ACTION
    if INSTRUCTIONS.match(text) and not strong and not promise:
        return INSTRUCTION
    if (_CONTACT.search(text) or ADDRESS.search(text)) and not strong and _only_contact(text):
        return CONTACT
    if LOGISTICS_LINES.search(text) and not strong:
        return LOGISTICS
    sentence_like = bool(TERMINAL.search(text)) or len(text.split()) >= SENTENCE_WORDS
    if not TERMINAL.search(text) and INVERTED_QUESTION.match(text) and not strong:
        return QUESTION
    if not sentence_like and TOPIC_QUESTIONS.match(text) and not _states_an_effect(statement):
        return TOPIC_QUESTION
    relative = None if sentence_like or PRONOUN_START.match(text) else MID_PRONOUN.search(text)
    limit = relative.start() if relative else len(text)
    if not _has_predicate(text[:limit], sentence_like) and not _claim_signal(statement, limit):
        return NO_PREDICATE
    return ""


def claim_type(statement: Statement) -> str:
    """The kind of claim an assertion makes; "general" when it is of no narrower kind."""
    text = statement.text
    causal = statement.cues_of("causal")
    correlational = statement.cues_of("correlational")
    boosters = statement.cues_of("booster")
    terms = statement.terms
    has = lambda category: bool(getattr(terms, category, None))  # noqa: E731
    figures = [q for q in statement.quantities if q.kind not in {"identifier", "horizon"}]
    first_person = bool(FIRST_PERSON_BUSINESS.search(text))
    attribution = statement.attribution

    if TESTIMONIAL.search(text):
        return "testimonial"
    if has("regulatory"):
        return "regulatory"
    if has("safety"):
        return "safety"
    # "Our serum reduced wrinkles by 10%" is an efficacy claim about a product;
    # "our clinic has treated 5,000 patients" is a fact about the business.
    effect_on_outcome = bool(causal)
    if first_person and (BUSINESS_FACT.search(text) or (figures and not effect_on_outcome)) and not attribution.vague:
        return "business"
    if attribution.vague or attribution.named_kinds or attribution.named_sources or STUDY_BACKING.search(text):
        return "establishment"
    if MARKET_POSITION.search(text) or (BUSINESS_FACT.search(text) and not causal and not has("outcomes")):
        return "business"
    if figures:
        return "figure"
    if has("designs") and (causal or correlational):
        return "establishment"
    if COMPARATIVE.search(text) and (causal or has("interventions") or EFFECT_WORDS.search(text)):
        return "comparative"
    effect = causal or boosters or correlational or EFFECT_WORDS.search(text) or DURABILITY.search(text)
    if effect:
        if not has("conditions") and not has("populations") and _mechanistic(statement):
            return "mechanism"
        return "efficacy"
    if first_person and BUSINESS_FACT.search(text):
        return "business"
    if has("outcomes") or has("conditions"):
        return "efficacy"
    return "general"


def classify(statement: Statement) -> tuple[str, str]:
    """Return (claim_type, "") for a claim, or ("", why-not) for a non-claim."""
    why_not = non_claim_reason(statement)
    if why_not:
        return "", why_not
    return claim_type(statement), ""


def _navigation(text: str) -> bool:
    """A row of short links ("Home · How it works · Pricing")."""
    parts = NAV_SEPARATOR.split(text)
    return len(parts) >= 3 and all(len(part.split()) <= 4 for part in parts)


def _unmasked_length(statement: Statement) -> int:
    return len(statement.text) - sum(e - s for s, e in statement.disclaimers)


def _signal_outside(statement: Statement) -> bool:
    """Whether the words outside a disclaimer still assert something."""
    outside = [c for c in statement.cues if c.kind in {"causal", "booster"}]
    figures = [q for q in statement.quantities if q.kind not in {"identifier", "horizon"}]
    return bool(outside or figures)


def _mechanistic(statement: Statement) -> bool:
    outcomes = statement.canon("outcomes")
    return bool(outcomes) and outcomes <= {"cytokines", "tissue_repair", "inflammation", "immune_response", "secretion"}


def _classified(statement: Statement) -> tuple[str, str]:
    # A verdict on the words alone: kept between runs like the analysis itself.
    # The store hands back only a pair of strings (anatomy.REMEMBERED_SHAPES).
    return remembered("classify", statement.text, lambda: classify(statement))


def _worded_for(why_not: str, block: Block) -> str:
    if why_not == NO_PREDICATE:
        return _NO_PREDICATE_BY_SCOPE.get("heading" if block.kind == "heading" else block.scope, why_not)
    return why_not


# A web address with what follows it up to a space: a link cited in a sentence
# ("... by two days (https://doi.org/10.5555/x)") is not what makes it contact details.
_LINK = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)


def _only_contact(text: str) -> bool:
    """Whether text with a phone number, e-mail, address or link is contact details: a
    statement that only cites a link is still audited."""
    unlinked = _LINK.sub(" ", text)
    if unlinked == text or _CONTACT.search(unlinked) or ADDRESS.search(unlinked):
        return True
    return not _has_predicate(unlinked, bool(TERMINAL.search(unlinked)) or len(unlinked.split()) >= SENTENCE_WORDS)


def find_claims(document: Document) -> tuple[list[Claim], list[NotAudited]]:
    """Cut the document's blocks into sentences and keep the claims.

    Returns the claims, and everything read but not audited as a claim (text
    set aside at reading, sections cited as sources, scopes the config leaves
    out, and sentences judged not to be claims) with why, sorted by place.
    """
    claims: list[Claim] = []
    passed: list[tuple[int, int, NotAudited]] = []  # (raw offset, order, entry)

    def pass_over(text: str, raw_offset: int, reason: str, scope: str) -> None:
        page, line, column = document.raw_place(raw_offset)
        passed.append((raw_offset, len(passed), NotAudited(document.path, text, line, reason, scope, column, page)))

    for aside in document.set_aside:
        pass_over(aside.text, aside.raw_start, aside.reason, aside.scope)
    excluded = [(s.start, s.end) for s in document.excluded]
    for block in document.blocks:
        if any(s <= block.start and block.end <= e for s, e in excluded):
            pass_over(document.text[block.start:block.end], document.raw_offset(block.start), CITED_SUMMARY,
                      block.scope)
            continue
        if block.scope in document.skip_scopes:
            pass_over(document.text[block.start:block.end], document.raw_offset(block.start),
                      f"scope {block.scope} left out by config", block.scope)
            continue
        for sentence in sentences(document.text, block.start, block.end):
            statement = analyse(sentence.text)
            claim_kind, why_not = _classified(statement)
            if block.kind == "cell" and document.media_type == "table" and not claim_kind:
                # A row of a claims table is a claim by the author's say-so;
                # a cell of a table on a web page is not.
                claim_kind, why_not = claim_type(statement), ""
            if claim_kind:
                # analyse() is cached and shared, so the typed claim is a copy.
                statement = replace(statement, claim_type=claim_kind, is_claim=True)
                claims.append(Claim(document, block, sentence.text, sentence.start, sentence.end, statement))
            else:
                pass_over(sentence.text, document.raw_offset(sentence.start), _worded_for(why_not, block),
                          block.scope)
    passed.sort(key=lambda item: (item[0], item[1]))
    return claims, [entry for _, _, entry in passed]


def claim_parts(statement: Statement) -> list[Part]:
    """The clauses of a compound claim that are claims themselves, typed;
    empty when the sentence makes one assertion."""
    parts: list[Part] = []
    for part in compound_parts(statement):
        claim_kind, _ = _classified(part.statement)
        # A clause that asserts nothing of a narrower kind ("declines gradually
        # thereafter") is judged with the sentence, not on its own.
        if claim_kind and claim_kind != "general":
            part.statement = replace(part.statement, claim_type=claim_kind, is_claim=True)
            parts.append(part)
    return parts if len(parts) >= 2 else []
