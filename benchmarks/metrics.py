"""Precision, recall and F1 without extra dependencies."""

from __future__ import annotations


def prf(gold: list[bool], predicted: list[bool]) -> tuple[float, float, float]:
    tp = sum(g and p for g, p in zip(gold, predicted))
    fp = sum((not g) and p for g, p in zip(gold, predicted))
    fn = sum(g and not p for g, p in zip(gold, predicted))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def macro_f1(gold: list, predicted: list, labels: list) -> float:
    scores = [prf([g == label for g in gold], [p == label for p in predicted])[2] for label in labels]
    return sum(scores) / len(scores)
