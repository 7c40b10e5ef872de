"""How well ``claim_strength`` reproduces human claim-strength labels.

Scores the rule-based strength scale against the sentences Yu, Wang & Li
(2020) labelled 0-3 (no relationship, correlational, conditional causal,
direct causal): research-abstract conclusions and press-release sentences.
A second, independent set keeps the scale honest: the strengths Wright &
Augenstein (2021) give both sides of 100 press-release / abstract pairs
(200 conclusions, labelled by other annotators on the same scale). A change
that helps one set and hurts another is not an improvement.
The data is read where it lies, beside the checkout, and never copied.

    python benchmarks/strength.py [YU_DATA_DIR] [--wright FILE] [--errors N] [--cell GOLD PREDICTED]

``--cell 1 0`` lists only the errors of one cell of the confusion matrix
(here: correlational sentences read as no relationship), all of them unless
``--errors`` caps the count.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

from claimaudit.language import claim_strength, split_sentences

LABELS = (0, 1, 2, 3)
LABEL_NAMES = {0: "no relationship", 1: "correlational", 2: "conditional causal", 3: "direct causal"}
FILES = ("annotated_pubmed.csv", "annotated_eureka.csv")
DEV_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "dev"
DEFAULT_DATA_DIR = DEV_DATA / "claim_strength_yu2020"
DEFAULT_WRIGHT_FILE = DEV_DATA / "exaggeration_wright2021" / "insciout_train.jsonl"
WRIGHT_SIDES = ("press_release", "abstract")


def read_labelled(path: Path) -> list[tuple[str, int]]:
    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        return [(row["sentence"], int(row["label"])) for row in csv.DictReader(handle)]


def scores(gold: list[int], predicted: list[int]) -> dict:
    """Per-class precision, recall and F1, their macro average, accuracy and the confusion matrix."""
    confusion = {g: {p: 0 for p in LABELS} for g in LABELS}
    for g, p in zip(gold, predicted):
        confusion[g][p] += 1
    per_class = {}
    for label in LABELS:
        tp = confusion[label][label]
        predicted_n = sum(confusion[g][label] for g in LABELS)
        gold_n = sum(confusion[label].values())
        precision = tp / predicted_n if predicted_n else 0.0
        recall = tp / gold_n if gold_n else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {"precision": precision, "recall": recall, "f1": f1, "support": gold_n}
    return {
        "macro_f1": sum(c["f1"] for c in per_class.values()) / len(LABELS),
        "accuracy": sum(confusion[l][l] for l in LABELS) / max(len(gold), 1),
        "per_class": per_class,
        "confusion": confusion,
    }


def evaluate_file(path: Path) -> dict:
    rows = read_labelled(path)
    started = time.perf_counter()
    predicted = [claim_strength(sentence).level for sentence, _ in rows]
    elapsed = time.perf_counter() - started
    result = scores([label for _, label in rows], predicted)
    result["sentences"] = len(rows)
    result["seconds"] = elapsed
    result["sentences_per_second"] = len(rows) / elapsed if elapsed else float("inf")
    result["errors"] = [(s, g, p) for (s, g), p in zip(rows, predicted) if g != p]
    return result


def evaluate_yu(data_dir: str | Path = DEFAULT_DATA_DIR) -> dict:
    """Scores for each labelled file in ``data_dir``, keyed by file stem."""
    data_dir = Path(data_dir)
    return {Path(name).stem: evaluate_file(data_dir / name) for name in FILES if (data_dir / name).exists()}


def text_strength(text: str) -> int:
    """The strongest relationship a passage claims: the highest level of its sentences.

    A few labelled conclusions run over two sentences ("X lowers Y. The
    effect was largest in ..."); the label is the strength of the main claim.
    """
    return max((claim_strength(s.text).level for s in split_sentences(text)), default=0)


def read_wright(path: Path) -> list[tuple[str, str, int]]:
    """(side, conclusion, gold strength) for both sides of every pair."""
    rows = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            pair = json.loads(line)
            for side in WRIGHT_SIDES:
                rows.append((side, pair[f"{side}_conclusion"], int(pair[f"{side}_strength"])))
    return rows


def evaluate_wright(path: str | Path = DEFAULT_WRIGHT_FILE) -> dict:
    """Strength scores on both sides of the Wright pairs together, and per side under ``sides``."""
    rows = read_wright(Path(path))
    predicted = [text_strength(text) for _, text, _ in rows]
    result = scores([gold for _, _, gold in rows], predicted)
    result["sentences"] = len(rows)
    result["errors"] = [(text, g, p) for (_, text, g), p in zip(rows, predicted) if g != p]
    result["sides"] = {
        side: scores([g for (sd, _, g) in rows if sd == side], [p for (sd, _, _), p in zip(rows, predicted) if sd == side])
        for side in WRIGHT_SIDES
    }
    return result


def _print(name: str, result: dict) -> None:
    speed = f", {result['sentences_per_second']:.0f} sentences/s" if "sentences_per_second" in result else ""
    print(f"{name}: {result['sentences']} sentences, macro-F1 {result['macro_f1']:.3f}, "
          f"accuracy {result['accuracy']:.3f}{speed}")
    for label, c in result["per_class"].items():
        print(f"  {label} {LABEL_NAMES[label]:<19} P {c['precision']:.3f}  R {c['recall']:.3f}  "
              f"F1 {c['f1']:.3f}  n={c['support']}")
    print("  confusion (rows gold, columns predicted):")
    print("       " + "".join(f"{p:>6}" for p in LABELS))
    for g in LABELS:
        print(f"    {g}  " + "".join(f"{result['confusion'][g][p]:>6}" for p in LABELS))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", default=str(DEFAULT_DATA_DIR))
    parser.add_argument("--wright", default=str(DEFAULT_WRIGHT_FILE),
                        help="Wright & Augenstein pairs (jsonl); skipped when absent")
    parser.add_argument("--errors", type=int, default=0, help="print this many misclassified sentences per file")
    parser.add_argument("--cell", type=int, nargs=2, metavar=("GOLD", "PREDICTED"), choices=LABELS,
                        help="print only the errors with this gold and predicted level")
    args = parser.parse_args(argv)
    limit = args.errors or (None if args.cell else 0)
    results = evaluate_yu(args.data_dir)
    if Path(args.wright).exists():
        results["wright2021"] = evaluate_wright(args.wright)
    if not results:
        print(f"no labelled files found in {args.data_dir}", file=sys.stderr)
        return 2
    for name, result in results.items():
        _print(name, result)
        for side, side_result in result.get("sides", {}).items():
            print(f"  {side}: macro-F1 {side_result['macro_f1']:.3f}, accuracy {side_result['accuracy']:.3f}")
        errors = [e for e in result["errors"] if not args.cell or (e[1], e[2]) == tuple(args.cell)]
        for sentence, gold, predicted in errors[:limit]:
            print(f"    gold {gold} got {predicted}: {sentence}")
    summary = ", ".join(f"{name} {result['macro_f1']:.3f}" for name, result in results.items())
    print(f"macro-F1: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
