"""Pure-text language analysis: sentences, figures, cues, claim strength and domain terms.

Nothing here knows about documents, sources or rules; every function takes
text and returns spans into it. Lexicons and vocabularies are YAML data in
``claimaudit/language/data`` and are loaded (and cached) on first use, so
importing this package stays cheap.
"""

from .cues import (
    CUE_KINDS,
    Cue,
    CueLexicon,
    find_cues,
    is_negated,
    load_cues,
    negated_spans,
)
from ._lazy import LazyPattern
from .numbers import normalise_number_words
from .quantities import Quantity, find_quantities
from .segment import split_clauses, split_sentences
from .strength import (
    CONDITIONAL_CAUSAL,
    CORRELATIONAL,
    DIRECT_CAUSAL,
    LEVEL_NAMES,
    NO_RELATIONSHIP,
    Strength,
    StrengthRules,
    claim_strength,
    load_strength_rules,
)
from .terms import (
    CATEGORIES,
    Term,
    Terms,
    Vocabulary,
    content_tokens,
    extract_terms,
    load_vocabulary,
    stem,
)


def lazy_re(source: str, flags: int = 0) -> LazyPattern:
    """A standard-library ``re`` pattern compiled on first use.

    Module-level patterns that a check served from the analysis cache never
    runs then cost nothing at start-up.
    """
    return LazyPattern(source, flags, engine="re")


__all__ = [
    "lazy_re",
    "split_sentences", "split_clauses",
    "Quantity", "find_quantities",
    "CUE_KINDS", "Cue", "CueLexicon", "find_cues", "load_cues", "negated_spans", "is_negated",
    "Strength", "StrengthRules", "claim_strength", "load_strength_rules",
    "NO_RELATIONSHIP", "CORRELATIONAL", "CONDITIONAL_CAUSAL", "DIRECT_CAUSAL", "LEVEL_NAMES",
    "CATEGORIES", "Term", "Terms", "Vocabulary", "extract_terms", "load_vocabulary", "content_tokens", "stem",
    "normalise_number_words",
]
