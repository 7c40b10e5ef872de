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
and, from tests/fixtures/labelled and examples/ (our own labelled set): the
size of the set (claims, cases, domains, non-claims), problem-claim recall,
the false-alarm rate on supported claims, the share of labelled claims not
found as findings, how many non-claims became findings, and precision / recall
per rule family and per kind of claim (the gold `tags`: headings, alt text,
aliases, comparisons, ...). `--verbose` lists each own-set claim scored wrong.

With ``--semantic`` (the ``claimaudit[semantic]`` extra) every set is scored
twice, by words alone and with meaning, and a table sets the two side by side.

    python benchmarks/accuracy.py [--data ../shared/data/dev] [--only yu,wright,covid,missci,own] [--verbose]
                                  [--semantic]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

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
# The semantic extra's embeddings, under --semantic (None: words alone).
MEANING = None


def verdict_for(claim: str, sources: list[Source], rules, cited: tuple[str, ...] = ()) -> str:
    _, matches, reasons = judge_claim(claim, sources, rules, cited, meaning=MEANING)
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


def covid_corpus(folder: Path) -> dict[str, dict]:
    """Check-COVID's abstracts by their CORD id."""
    corpus = {}
    for line in (folder / "corpus.json").read_text(encoding="utf-8").splitlines():
        if line.strip():
            doc = json.loads(line)
            corpus[doc["cord_id"]] = doc
    return corpus


def bench_covid(data: Path, rules, split: str = "dev", twin_fix: bool = True) -> dict:
    folder = data / "check_covid"
    corpus = covid_corpus(folder)
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
        _, matches, reasons = judge_claim(claim["claim"], [source], rules, meaning=MEANING)
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


def labelled_cases() -> list[tuple[str, Path]]:
    cases = []
    root = REPO / "tests" / "fixtures" / "labelled"
    for gold in sorted(root.glob("*/gold.yaml")):
        cases.append((gold.parent.name, gold))
    cases.append(("examples", REPO / "examples" / "expected.yaml"))
    return cases


NOT_FOUND = "not found"


def _finding_for(needle: str, findings: list[Any]) -> Any | None:
    needle = needle.lower()
    return next((f for f in findings if needle in f.text.lower() or f.text.lower() in needle), None)


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def bench_own(rules) -> dict:
    """Our hand-labelled audits, scored as a reviewer would read the result.

    A case whose page or pack the engine refuses (exit 2) is reported with its
    message and its claims count as not found, so a loader regression shows in
    the figures instead of stopping the benchmark.
    """
    from ruamel.yaml import YAML

    from claimaudit.api import audit
    from claimaudit.errors import InputError

    yaml = YAML(typ="safe", pure=True)
    per_family: dict[str, Counter] = defaultdict(Counter)
    per_tag: dict[str, Counter] = defaultdict(Counter)
    confusion: Counter = Counter()
    missing, non_claim_hits, false_alarms, missed_problems, failed = [], [], [], [], []
    domains: set[str] = set()
    total = non_claims = 0
    cases = labelled_cases()
    for name, gold_path in cases:
        gold = yaml.load(gold_path.read_text(encoding="utf-8"))
        folder = gold_path.parent
        if gold.get("domain"):
            domains.add(gold["domain"])
        try:
            findings = audit([str(folder / gold["page"])], str(folder / gold["sources"]), loaded_rules=rules,
                             semantic=MEANING is not None).result.findings
        except InputError as error:
            failed.append(f"{name}: {error}")
            findings = []
        for item in gold.get("claims", []):
            total += 1
            finding = _finding_for(item["text"], findings)
            predicted = finding.verdict if finding else NOT_FOUND
            label = f"{name}: {item['text'][:70]}"
            if finding is None:
                missing.append(label)
            gold_flag = item["verdict"] in FLAGGED
            predicted_flag = predicted in FLAGGED
            if gold_flag and not predicted_flag:
                missed_problems.append(f"{label} -> {predicted} (gold {item['verdict']})")
            if not gold_flag and predicted_flag:
                false_alarms.append(f"{label} -> {predicted}")
            confusion[(item["verdict"], predicted)] += 1
            for counter in [per_family[item.get("family", "none")]] + [per_tag[t] for t in item.get("tags") or []]:
                counter["n"] += 1
                counter["tp"] += gold_flag and predicted_flag
                counter["fp"] += (not gold_flag) and predicted_flag
                counter["fn"] += gold_flag and not predicted_flag
                counter["problems"] += gold_flag
                counter["supported"] += not gold_flag
                counter["found"] += finding is not None
                counter["exact"] += item["verdict"] == predicted
        for text in gold.get("non_claims", []) or []:
            non_claims += 1
            needle = text.lower()
            if any(needle in f.text.lower() for f in findings):
                non_claim_hits.append(f"{name}: {text[:70]}")

    def scores(c: Counter) -> dict:
        # None where nothing could be counted (no problem claims, nothing flagged, no supported claims).
        return {"n": c["n"], "precision": c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else None,
                "recall": c["tp"] / c["problems"] if c["problems"] else None,
                "problems": c["problems"], "supported": c["supported"],
                "false_alarm_rate": c["fp"] / c["supported"] if c["supported"] else None,
                "found": _share(c["found"], c["n"]), "exact": _share(c["exact"], c["n"])}

    golds = [g for (g, _), n in confusion.items() for _ in range(n)]
    preds = [p for (_, p), n in confusion.items() for _ in range(n)]
    flags = prf([g in FLAGGED for g in golds], [p in FLAGGED for p in preds])
    problems = sum(g in FLAGGED for g in golds)
    supported = total - problems
    return {"claims": total, "cases": len(cases), "domains": sorted(domains),
            "verdict_mix": dict(Counter(golds)),
            "verdict_accuracy": _share(sum(g == p for g, p in zip(golds, preds)), total),
            "verdict_macro_f1": macro_f1(golds, preds, ["supported", "overstated", "unsupported"]),
            "problem_prf": flags,
            "problem_recall": _share(problems - len(missed_problems), problems),
            "false_alarm_rate": _share(len(false_alarms), supported),
            "not_found_rate": _share(len(missing), total),
            "non_claims": non_claims, "non_claims_flagged": non_claim_hits,
            "families": {f: scores(c) for f, c in sorted(per_family.items())},
            "tags": {t: scores(c) for t, c in sorted(per_tag.items())},
            "not_found": missing, "missed_problems": missed_problems, "false_alarms": false_alarms,
            "failed_cases": failed,
            "confusion": {f"{g}->{p}": n for (g, p), n in sorted(confusion.items())}}


def print_own(o: dict, verbose: bool = False) -> None:
    p, r, f = o["problem_prf"]
    mix = ", ".join(f"{k} {v}" for k, v in sorted(o["verdict_mix"].items()))
    beyond = [d for d in o["domains"] if d != "cell-therapy"]
    print(f"Own labelled set: {o['claims']} claims ({mix}) in {o['cases']} cases; {o['non_claims']} non-claims; "
          f"{len(beyond)} product domains beyond cell therapy ({', '.join(beyond)})")
    print(f"  problem-claim recall {o['problem_recall']:.3f} (target >= 0.97); false alarms on supported claims "
          f"{o['false_alarm_rate']:.3f} (target <= 0.10); not found {o['not_found_rate']:.3f} "
          f"({len(o['not_found'])} of {o['claims']}; target <= 0.02); non-claims that became findings "
          f"{len(o['non_claims_flagged'])} of {o['non_claims']}")
    print(f"  verdict accuracy {o['verdict_accuracy']:.3f}, 3-class macro-F1 {o['verdict_macro_f1']:.3f}; "
          f"problem claims P {p:.3f} R {r:.3f} F1 {f:.3f}")
    for failure in o["failed_cases"]:
        print(f"  case refused by the engine (its claims count as not found): {failure}")
    def cell(value: float | None, width: int) -> str:
        return f"{'-':>{width}}" if value is None else f"{value:>{width}.3f}"

    header = f"{'n':>4} {'problems':>8} {'precision':>9} {'recall':>7} {'supported':>9} {'false-alarm':>11} " \
             f"{'found':>6} {'exact':>6}"
    for title, rows in (("family", o["families"]), ("kind of claim (tags)", o["tags"])):
        print(f"  {title:<20} {header}")
        for key, res in rows.items():
            print(f"  {key:<20} {res['n']:>4} {res['problems']:>8} {cell(res['precision'], 9)} "
                  f"{cell(res['recall'], 7)} {res['supported']:>9} {cell(res['false_alarm_rate'], 11)} "
                  f"{res['found']:>6.3f} {res['exact']:>6.3f}")
    if verbose:
        for title, items in (("claims not found as findings", o["not_found"]),
                             ("problem claims not flagged", o["missed_problems"]),
                             ("supported claims flagged", o["false_alarms"]),
                             ("non-claims reported as claims", o["non_claims_flagged"])):
            if items:
                print(f"  {title}:")
                for item in items:
                    print(f"    {item}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data" / "dev"))
    parser.add_argument("--only", default="yu,wright,covid,missci,own")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument("--verbose", action="store_true", help="list each own-set claim scored wrong")
    parser.add_argument("--covid-splits", default="dev", help="Check-COVID splits to score: dev, train or dev,train")
    parser.add_argument("--semantic", action="store_true",
                        help="score every set by words alone and with meaning (needs claimaudit[semantic])")
    args = parser.parse_args(argv)
    data = Path(args.data)
    wanted = set(args.only.split(","))
    rules = load_rules()
    global MEANING
    figures = score_all(args, data, wanted, rules)
    if args.semantic:
        from claimaudit.evidence.meaning import Meaning

        MEANING = Meaning()
        print(f"\n--- with meaning ({MEANING.settings.model}) ---")
        with_meaning = score_all(args, data, wanted, rules)
        print_side_by_side(figures, with_meaning)
        figures = {"words": figures, "meaning": with_meaning}
    if args.json:
        print(json.dumps(figures, indent=2, default=str))
    return 0


SIDE_BY_SIDE = [
    ("Yu pubmed macro-F1", ("yu", "annotated_pubmed", "macro_f1")),
    ("Yu eureka macro-F1", ("yu", "annotated_eureka", "macro_f1")),
    ("Wright exaggeration F1", ("wright", "f1")),
    ("Check-COVID dev flag macro-F1", ("covid_dev", "flag_macro_f1")),
    ("Check-COVID dev supported-vs-refuted balanced accuracy", ("covid_dev", "support_vs_refute_balanced_accuracy")),
    ("Check-COVID dev refuted passed as supported", ("covid_dev", "refuted_passed_as_supported")),
    ("Check-COVID dev gold evidence top-1", ("covid_dev", "evidence_top1")),
    ("Check-COVID dev gold evidence top-3", ("covid_dev", "evidence_top3")),
    ("Check-COVID dev claims/s", ("covid_dev", "claims_per_second")),
    ("MISSCI dev flagged", ("missci", "missci", "flagged")),
    ("MissciPlus dev flagged", ("missci", "missciplus", "flagged")),
    ("own set problem-claim recall", ("own", "problem_recall")),
    ("own set false alarms", ("own", "false_alarm_rate")),
    ("own set not found", ("own", "not_found_rate")),
    ("own set verdict accuracy", ("own", "verdict_accuracy")),
]


def _figure(figures: dict, path: tuple[str, ...]) -> float | None:
    value: Any = figures
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value if isinstance(value, (int, float)) else None


def print_side_by_side(words: dict, meaning: dict) -> None:
    print(f"\n{'':58s} {'words':>8s} {'+meaning':>9s}")
    for title, path in SIDE_BY_SIDE:
        a, b = _figure(words, path), _figure(meaning, path)
        if a is None and b is None:
            continue
        shown = [f"{v:8.3f}" if v is not None and v < 10 else (f"{v:8.0f}" if v is not None else f"{'-':>8s}")
                 for v in (a, b)]
        print(f"{title:58s} {shown[0]} {shown[1]:>9s}")


def score_all(args, data: Path, wanted: set[str], rules) -> dict:
    figures: dict = {}
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
        print_own(o, verbose=args.verbose)
    return figures


if __name__ == "__main__":
    sys.exit(main())
