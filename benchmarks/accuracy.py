"""Accuracy of the engine on real labelled data and on our own labelled set.

Prints, from ../shared/data/dev (read where it lies, never copied):
- claim-strength macro-F1 on the Yu et al. 2020 sentences (pubmed, eureka);
- exaggeration precision / recall / F1 on the Wright & Augenstein 2021 pairs
  (press-release conclusion as the claim, abstract conclusion as the source);
- flag macro-F1 on Check-COVID dev (SUPPORT = supported, REFUTE and
  NOTENOUGHINFO = flagged), supported-vs-refuted balanced accuracy, and how
  often the gold sentence is our top evidence;
- the share of MISSCI and MissciPlus claims flagged (every one misrepresents
  the study it cites: each is held against the study's accurate premise, and
  for MissciPlus also the passages selected from the paper);
and, from tests/fixtures/labelled and examples/, per-family precision and
recall of problem claims.

    python benchmarks/accuracy.py [--data ../shared/data/dev] [--only yu,wright,covid,missci,own]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "src"))

from metrics import prf, macro_f1  # noqa: E402

from claimaudit.rules.examples import judge_claim  # noqa: E402
from claimaudit.rules.loader import load_rules  # noqa: E402
from claimaudit.model import Source  # noqa: E402
from claimaudit.verdicts.aggregate import decide  # noqa: E402

FLAGGED = {"overstated", "unsupported"}


def verdict_for(claim: str, sources: list[Source], rules, cited: tuple[str, ...] = ()) -> str:
    _, matches, reasons = judge_claim(claim, sources, rules, cited)
    verdict, _, _ = decide(reasons, matches[0].similarity if matches else 0.0)
    return verdict


def bench_yu(data: Path) -> dict:
    from strength import evaluate_yu

    return evaluate_yu(data / "claim_strength_yu2020")


def bench_wright(data: Path, rules) -> dict:
    path = data / "exaggeration_wright2021" / "insciout_train.jsonl"
    gold, predicted, overstated_only = [], [], []
    started = time.perf_counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        pair = json.loads(line)
        source = Source(id="abstract", summary=pair["abstract_conclusion"])
        # Each press-release conclusion restates this one abstract conclusion,
        # paired by the data set itself: the claim cites it, as a claims-table
        # row names its source.
        verdict = verdict_for(pair["press_release_conclusion"], [source], rules, (source.id,))
        gold.append(pair["exaggeration_label"] == "exaggerates")
        predicted.append(verdict in FLAGGED)
        overstated_only.append(verdict == "overstated")
    elapsed = time.perf_counter() - started
    p, r, f = prf(gold, predicted)
    p2, r2, f2 = prf(gold, overstated_only)
    everything = prf(gold, [True] * len(gold))[2]
    return {"pairs": len(gold), "precision": p, "recall": r, "f1": f,
            "overstated_only": {"precision": p2, "recall": r2, "f1": f2},
            "flag_everything_f1": everything, "pairs_per_second": len(gold) / elapsed}


def covid_claims(folder: Path, split: str = "dev") -> list[dict]:
    return [
        json.loads(line)
        for name in (f"covidCheck_{split}_composed.json", f"covidCheck_{split}_extracted.json")
        if (folder / split / name).exists()
        for line in (folder / split / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def covid_pack(claim: dict, doc: dict, answers: dict) -> list[str]:
    """The abstract sentences a claim is held against.

    Check-COVID labels a claim NOTENOUGHINFO against one sentence that lacks
    the answer; every such claim repeats, word for word, a claim labelled
    SUPPORT or REFUTE on the same abstract. Against the whole abstract the
    twins are the same input with different labels, so a NOTENOUGHINFO claim
    is held against the abstract without the sentences that answer its twin.
    """
    sentences = doc["abstract"]
    if claim["label"] != "NOTENOUGHINFO":
        return sentences
    drop = answers.get((claim["claim"], claim["cord_id"]), set())
    return [s for i, s in enumerate(sentences) if i not in drop]


def bench_covid(data: Path, rules, split: str = "dev", twin_fix: bool = True) -> dict:
    folder = data / "check_covid"
    corpus = {}
    for line in (folder / "corpus.json").read_text(encoding="utf-8").splitlines():
        if line.strip():
            doc = json.loads(line)
            corpus[doc["cord_id"]] = doc
    gold, predicted = [], []
    labels: list[str] = []
    top1 = top3 = linked = 0
    started = time.perf_counter()
    claims = covid_claims(folder, split)
    answers: dict = defaultdict(set)
    for claim in claims:
        if claim["label"] != "NOTENOUGHINFO":
            answers[(claim["claim"], claim["cord_id"])] |= {e["sent_index"] for e in claim.get("evidence_set", [])}
    for claim in claims:
        doc = corpus.get(claim["cord_id"])
        if doc is None:
            continue
        sentences = covid_pack(claim, doc, answers) if twin_fix else doc["abstract"]
        source = Source(id=claim["cord_id"], summary=" ".join(s.strip() for s in sentences), citation=doc.get("title", ""))
        # Finding the sentence about the claim within the abstract is part of
        # the task here, so the abstract is a plain pack, not a cited source.
        _, matches, reasons = judge_claim(claim["claim"], [source], rules)
        verdict, _, _ = decide(reasons, matches[0].similarity if matches else 0.0)
        labels.append(claim["label"])
        gold.append("supported" if claim["label"] == "SUPPORT" else "flagged")
        predicted.append("supported" if verdict == "supported" else "flagged")
        wanted = {e["sent_index"] for e in claim.get("evidence_set", [])}
        if wanted and matches and claim["label"] != "NOTENOUGHINFO":
            linked += 1
            indices = [_sentence_index(doc["abstract"], m.sentence.text) for m in matches]
            top1 += indices[0] in wanted
            top3 += bool(wanted & set(indices))
    elapsed = time.perf_counter() - started
    # Supported vs refuted: of the claims the abstract settles, how often each side is judged right.
    settled = [(label, guess) for label, guess in zip(labels, predicted) if label in {"SUPPORT", "REFUTE"}]
    support_right = [guess == "supported" for label, guess in settled if label == "SUPPORT"]
    refute_right = [guess == "flagged" for label, guess in settled if label == "REFUTE"]
    balanced = (sum(support_right) / max(len(support_right), 1) + sum(refute_right) / max(len(refute_right), 1)) / 2
    return {"claims": len(gold), "flag_macro_f1": macro_f1(gold, predicted, ["supported", "flagged"]),
            "support_vs_refute_balanced_accuracy": balanced,
            "refuted_passed_as_supported": 1 - sum(refute_right) / max(len(refute_right), 1),
            "flagged_prf": prf([g == "flagged" for g in gold], [p == "flagged" for p in predicted]),
            "evidence_top1": top1 / max(linked, 1), "evidence_top3": top3 / max(linked, 1),
            "claims_per_second": len(gold) / elapsed}


def bench_missci(data: Path, rules) -> dict:
    """Each misrepresenting claim against what its study really found: all should be flagged."""
    results = {}
    for name in ("missci", "missciplus"):
        path = data / "missci" / f"dev.{name}.jsonl"
        if not path.exists():
            continue
        verdicts = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            argument = item["argument"]
            sources = [Source(id="premise", summary=argument["accurate_premise_p0"]["premise"])]
            passages = (item.get("study") or {}).get("selected_passages") or {}
            for key in sorted(passages):
                text = " ".join(s.strip() for s in passages[key].get("sentences", []) if s.strip())
                if text:
                    sources.append(Source(id=f"passage-{len(sources)}", summary=text))
            verdicts.append(verdict_for(argument["claim"], sources, rules))
        counts = Counter(verdicts)
        results[name] = {"claims": len(verdicts), "flagged": (counts["overstated"] + counts["unsupported"])
                         / max(len(verdicts), 1), "verdicts": dict(counts)}
    return results


def _sentence_index(sentences: list[str], text: str) -> int:
    for i, sentence in enumerate(sentences):
        if text.strip()[:40] in sentence or sentence.strip()[:40] in text:
            return i
    return -1


def labelled_cases() -> list[tuple[str, Path, Path, Path]]:
    cases = []
    root = REPO / "tests" / "fixtures" / "labelled"
    for gold in sorted(root.glob("*/gold.yaml")):
        cases.append((gold.parent.name, gold))
    cases.append(("examples", REPO / "examples" / "expected.yaml"))
    return cases


def bench_own(rules) -> dict:
    from ruamel.yaml import YAML

    from claimaudit.api import audit

    yaml = YAML(typ="safe", pure=True)
    per_family = defaultdict(lambda: Counter())
    confusion = Counter()
    missing, non_claim_hits, total = [], [], 0
    for name, gold_path in labelled_cases():
        gold = yaml.load(gold_path.read_text(encoding="utf-8"))
        folder = gold_path.parent
        result = audit([str(folder / gold["page"])], str(folder / gold["sources"]), loaded_rules=rules).result
        for item in gold.get("claims", []):
            total += 1
            needle = item["text"].lower()
            finding = next((f for f in result.findings if needle in f.text.lower() or f.text.lower() in needle), None)
            predicted = finding.verdict if finding else "not found"
            if finding is None:
                missing.append(f"{name}: {item['text'][:70]}")
            confusion[(item["verdict"], predicted)] += 1
            family = per_family[item.get("family", "none")]
            gold_flag = item["verdict"] in FLAGGED
            predicted_flag = predicted in FLAGGED
            family["tp"] += gold_flag and predicted_flag
            family["fp"] += (not gold_flag) and predicted_flag
            family["fn"] += gold_flag and not predicted_flag
            family["exact"] += item["verdict"] == predicted
            family["n"] += 1
        for text in gold.get("non_claims", []) or []:
            needle = text.lower()
            if any(needle in f.text.lower() for f in result.findings):
                non_claim_hits.append(f"{name}: {text[:70]}")
    families = {}
    for family, c in sorted(per_family.items()):
        p = c["tp"] / max(c["tp"] + c["fp"], 1)
        r = c["tp"] / max(c["tp"] + c["fn"], 1)
        families[family] = {"n": c["n"], "precision": p, "recall": r, "exact": c["exact"] / max(c["n"], 1)}
    golds = [g for (g, _), n in confusion.items() for _ in range(n)]
    preds = [p for (_, p), n in confusion.items() for _ in range(n)]
    flags = prf([g in FLAGGED for g in golds], [p in FLAGGED for p in preds])
    return {"claims": total, "verdict_accuracy": sum(g == p for g, p in zip(golds, preds)) / max(total, 1),
            "verdict_macro_f1": macro_f1(golds, preds, ["supported", "overstated", "unsupported"]),
            "problem_prf": flags, "families": families, "not_found": missing, "non_claims_flagged": non_claim_hits,
            "confusion": {f"{g}->{p}": n for (g, p), n in sorted(confusion.items())}}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data" / "dev"))
    parser.add_argument("--only", default="yu,wright,covid,missci,own")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument("--covid-splits", default="dev", help="Check-COVID splits to score: dev, train or dev,train")
    args = parser.parse_args(argv)
    data = Path(args.data)
    wanted = set(args.only.split(","))
    rules = load_rules()
    figures = {}
    if "yu" in wanted and data.exists():
        figures["yu"] = yu = bench_yu(data)
        for name, res in yu.items():
            print(f"Yu 2020 strength ({name}): macro-F1 {res['macro_f1']:.3f} on {res['sentences']} sentences")
    if "wright" in wanted and data.exists():
        # Wright labels only the strength of the claim against its source, so
        # it is also scored with the rule families that judge strength.
        strength_rules = [r for r in rules if r.family in {"certainty", "scope"}]
        figures["wright_strength_families"] = ws = bench_wright(data, strength_rules)
        figures["wright"] = w = bench_wright(data, rules)
        print(f"Wright 2021 exaggeration: P {w['precision']:.3f} R {w['recall']:.3f} F1 {w['f1']:.3f} "
              f"on {w['pairs']} pairs (overstated only: F1 {w['overstated_only']['f1']:.3f}; "
              f"flag-everything F1 {w['flag_everything_f1']:.3f}; {w['pairs_per_second']:.0f} pairs/s); "
              f"certainty and scope rules only: P {ws['precision']:.3f} R {ws['recall']:.3f} F1 {ws['f1']:.3f}")
    if "covid" in wanted and data.exists():
        for split in args.covid_splits.split(","):
            figures[f"covid_{split}"] = c = bench_covid(data, rules, split)
            p, r, f = c["flagged_prf"]
            raw = bench_covid(data, rules, split, twin_fix=False)
            figures[f"covid_{split}_whole_abstract"] = raw
            print(f"Check-COVID {split}: flag macro-F1 {c['flag_macro_f1']:.3f} on {c['claims']} claims "
                  f"(flagged P {p:.3f} R {r:.3f}); gold evidence top-1 {c['evidence_top1']:.3f}, "
                  f"top-3 {c['evidence_top3']:.3f}; {c['claims_per_second']:.0f} claims/s; "
                  f"with NOTENOUGHINFO twins against the whole abstract: {raw['flag_macro_f1']:.3f}")
            print(f"  supported vs refuted: balanced accuracy {c['support_vs_refute_balanced_accuracy']:.3f}; "
                  f"refuted claims passed as supported {c['refuted_passed_as_supported']:.3f}")
    if "missci" in wanted and data.exists():
        figures["missci"] = m = bench_missci(data, rules)
        for name, res in m.items():
            shown = ", ".join(f"{k} {v}" for k, v in sorted(res["verdicts"].items()))
            print(f"{'MISSCI' if name == 'missci' else 'MissciPlus'} dev: flagged {res['flagged']:.3f} of "
                  f"{res['claims']} misrepresentations ({shown})")
    if "own" in wanted:
        figures["own"] = o = bench_own(rules)
        p, r, f = o["problem_prf"]
        print(f"Own labelled set: {o['claims']} claims, verdict accuracy {o['verdict_accuracy']:.3f}, "
              f"3-class macro-F1 {o['verdict_macro_f1']:.3f}; problem claims P {p:.3f} R {r:.3f} F1 {f:.3f}")
        print(f"  {'family':<14} {'n':>4} {'precision':>9} {'recall':>7} {'exact':>6}")
        for family, res in o["families"].items():
            print(f"  {family:<14} {res['n']:>4} {res['precision']:>9.3f} {res['recall']:>7.3f} {res['exact']:>6.3f}")
        if o["not_found"]:
            print(f"  claims not found as findings: {len(o['not_found'])}")
        if o["non_claims_flagged"]:
            print(f"  non-claims reported as claims: {len(o['non_claims_flagged'])}")
    if args.json:
        print(json.dumps(figures, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
