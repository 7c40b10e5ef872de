"""Fit the semantic extra's settings and head, and write them to the package.

Trained on Check-COVID **train** only (Wang et al. 2023, MIT licence: what is
fitted on it may ship), read where it lies in ../shared/data; nothing from it
is copied into the repository, only the fitted numbers. Dev stays unseen:
``benchmarks/accuracy.py --semantic`` measures it.

What is fitted, in order (each step uses the ones before):

1. **The similarity scale.** e5's cosines are squeezed (unrelated text scores
   about 0.8), so ``floor`` is the median cosine of a claim to the closest
   sentence of an unrelated abstract, and ``ceiling`` the 90th percentile of a
   claim's cosine to its gold evidence sentence. Scaled similarity is then 0
   for unrelated text and 1 for evidence as close as the best tenth of gold.
2. **Two words that mean the same.** ``word_match`` is the 99.9th percentile
   of the similarity of random pairs of content words from the abstracts: two
   unrelated words pass it about once in a thousand pairs.
3. **The ranking blend.** ``rank_weight`` (the share of the evidence score from
   meaning) is the grid value with the best gold top-1 + top-3 on train; a tie
   goes to the smaller weight, since evidence matched by words is easier to
   explain.
4. **When meaning may match an element.** ``element_match``, how close in
   meaning the claim must be to the evidence before its elements may be matched
   by meaning, is one of the quartiles of the claims' closeness to their gold
   sentence: the one with the best Check-COVID train flag macro-F1 among those
   that pass no more refuted claims than words alone do. Meaning may show
   support the words could not, but must not let more wrong claims through.
5. **The head.** Logistic regression (L2, plain gradient descent: six
   features need nothing more) of SUPPORT against REFUTE and NOTENOUGHINFO on
   the features of ``claimaudit.verdicts.confidence.head_features``, from the
   engine's judgement of each train claim with the settings above.

    python benchmarks/train_semantic.py [--data ../shared/data/dev] [--write]

Without ``--write`` it prints what it would write.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "src"))

import numpy as np  # noqa: E402

import accuracy  # noqa: E402
from claimaudit.evidence import meaning as meaning_module  # noqa: E402
from claimaudit.evidence.index import SourceIndex  # noqa: E402
from claimaudit.language import content_tokens  # noqa: E402
from claimaudit.model import Source  # noqa: E402
from claimaudit.rules.examples import judge_in_index  # noqa: E402
from claimaudit.rules.loader import load_rules  # noqa: E402
from claimaudit.verdicts.aggregate import decide  # noqa: E402
from claimaudit.verdicts.confidence import head_features  # noqa: E402

SETTINGS = REPO / "src" / "claimaudit" / "evidence" / "meaning.json"
# "contradicted" is left out: CA701/CA702 flag the claim already, and on train it
# took a positive weight (contradicted claims were more often supported there),
# which no reviewer could read as confidence.
FEATURES = ["similarity", "words", "matched_share", "core_shown", "flagged", "absent"]
GRID = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
SEED = 2023


def load(data: Path) -> tuple[dict, list[dict]]:
    folder = data / "check_covid"
    corpus = accuracy.covid_corpus(folder)
    claims = [c for c in accuracy.covid_claims(folder, "train") if c["cord_id"] in corpus]
    return corpus, claims


def raw_scale(model: meaning_module.Meaning, corpus: dict, claims: list[dict]) -> dict:
    rng = random.Random(SEED)
    ids = sorted(corpus)
    gold_cos, unrelated_cos = [], []
    for claim in claims:
        gold = {e["sent_index"] for e in claim.get("evidence_set", [])}
        abstract = corpus[claim["cord_id"]]["abstract"]
        if claim["label"] == "NOTENOUGHINFO" or not gold:
            continue
        query = model.vectors("query", [claim["claim"]])[0]
        passages = model.vectors("passage", abstract)
        gold_cos.append(max(float(passages[i] @ query) for i in gold if i < len(abstract)))
        other = corpus[rng.choice([i for i in ids if i != claim["cord_id"]])]["abstract"]
        unrelated_cos.append(float((model.vectors("passage", other) @ query).max()))
    floor, ceiling = float(np.median(unrelated_cos)), float(np.percentile(gold_cos, 90))
    words = sorted({w.lower() for doc in corpus.values() for s in doc["abstract"] for w in s.split()
                    if w.isalpha() and len(w) > 3 and content_tokens(w)})
    rng.shuffle(words)
    vectors = model.vectors("query", words[:800])
    pairs = (vectors @ vectors.T)[np.triu_indices(len(vectors), 1)]
    scaled_gold = np.clip((np.array(gold_cos) - floor) / (ceiling - floor), 0, 1)
    return {"floor": round(floor, 4), "ceiling": round(ceiling, 4),
            "word_match": round(float(np.percentile(pairs, 99.9)), 4),
            "element_match_grid": [round(float(np.percentile(scaled_gold, q)), 4) for q in (25, 50, 75)]}


def judged_train(model: meaning_module.Meaning, corpus: dict, claims: list[dict], rules) -> list[tuple]:
    answers: dict = defaultdict(set)
    for claim in claims:
        if claim["label"] != "NOTENOUGHINFO":
            answers[(claim["claim"], claim["cord_id"])] |= {e["sent_index"] for e in claim.get("evidence_set", [])}
    out = []
    for claim in claims:
        doc = corpus[claim["cord_id"]]
        sentences = accuracy.covid_pack(claim, doc, answers)
        source = Source(id=claim["cord_id"], summary=" ".join(s.strip() for s in sentences), citation=doc.get("title", ""))
        index = SourceIndex.build([source], meaning=model)
        judged = judge_in_index(claim["claim"], index, rules)
        verdict, _, _ = decide(judged.reasons, judged.matches[0].similarity if judged.matches else 0.0)
        out.append((claim, doc, judged, index, verdict))
    return out


def fit_head(judged: list[tuple]) -> dict:
    rows, labels = [], []
    for claim, _doc, result, index, verdict in judged:
        features = head_features(result.statement.text, result.judgement, index, verdict != "supported")
        rows.append([features[name] for name in FEATURES])
        labels.append(1.0 if claim["label"] == "SUPPORT" else 0.0)
    x, y = np.array(rows), np.array(labels)
    weights, bias = np.zeros(x.shape[1]), 0.0
    for _ in range(5000):
        p = 1 / (1 + np.exp(-(x @ weights + bias)))
        weights -= 0.5 * (x.T @ (p - y) / len(y) + 1e-3 * weights)
        bias -= 0.5 * float(np.mean(p - y))
    p = 1 / (1 + np.exp(-(x @ weights + bias)))
    accuracy_ = float(np.mean((p >= 0.5) == (y == 1)))
    print(f"head: train accuracy {accuracy_:.3f} on {len(y)} claims ({int(y.sum())} SUPPORT)")
    return {"features": FEATURES, "weights": [round(float(w), 4) for w in weights], "bias": round(bias, 4)}


def best_on_grid(values: list[float], score, fallback: float | None = None) -> float:
    """The value with the highest score (to three places); a tie keeps the earlier
    value, and a value scored None is ruled out."""
    best: tuple[float, float] | None = None
    for value in values:
        found = score(value)
        if found is not None and (best is None or round(found, 3) > best[0]):
            best = (round(found, 3), value)
    if best is None:
        assert fallback is not None, "every value was ruled out"
        return fallback
    return best[1]


def covid_train(model: meaning_module.Meaning, settings: dict, data: Path, rules) -> dict:
    """The engine's Check-COVID train figures with these settings (``model`` None: words alone)."""
    if model is not None:
        model.settings = meaning_module.parse_settings(settings)
    accuracy.MEANING = model
    try:
        return accuracy.bench_covid(data, rules, "train")
    finally:
        accuracy.MEANING = None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data" / "dev"))
    parser.add_argument("--write", action="store_true", help=f"write the result to {SETTINGS.relative_to(REPO)}")
    args = parser.parse_args(argv)
    data = Path(args.data)
    corpus, claims = load(data)
    rules = load_rules()
    settings = json.loads(SETTINGS.read_text(encoding="utf-8"))
    model = meaning_module.Meaning()
    scale = raw_scale(model, corpus, claims)
    print("scale:", scale)
    element_grid = scale.pop("element_match_grid")
    settings.update(scale)
    settings["element_match"] = element_grid[0]
    settings.pop("support_floor", None)

    def ranking(weight: float) -> float:
        settings["rank_weight"] = weight
        figures = covid_train(model, settings, data, rules)
        print(f"rank_weight {weight:.1f}: gold top-1 {figures['evidence_top1']:.3f}, "
              f"top-3 {figures['evidence_top3']:.3f}")
        return figures["evidence_top1"] + figures["evidence_top3"]

    settings["rank_weight"] = best_on_grid(GRID, ranking)
    words = covid_train(None, settings, data, rules)
    allowed = words["refuted_passed_as_supported"]
    print(f"words alone: flag macro-F1 {words['flag_macro_f1']:.3f}, refuted passed {allowed:.3f}")

    def verdicts(element_match: float) -> float | None:
        settings["element_match"] = element_match
        figures = covid_train(model, settings, data, rules)
        f1, passed = figures["flag_macro_f1"], figures["refuted_passed_as_supported"]
        print(f"element_match {element_match:.3f}: flag macro-F1 {f1:.3f}, refuted passed {passed:.3f}")
        return f1 if passed <= allowed else None

    # When no quartile keeps to the words' refuted rate, the strictest one is the choice that changes least.
    settings["element_match"] = best_on_grid(element_grid, verdicts, fallback=element_grid[-1])
    model.settings = meaning_module.parse_settings(settings)
    settings["head"] = fit_head(judged_train(model, corpus, claims, rules))
    settings["trained_on"] = (f"Check-COVID train ({len(claims)} claims, MIT licence) with "
                              "benchmarks/train_semantic.py")
    text = json.dumps(settings, indent=2) + "\n"
    meaning_module.parse_settings(json.loads(text))
    if args.write:
        SETTINGS.write_text(text, encoding="utf-8")
        print(f"wrote {SETTINGS.relative_to(REPO)}")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
