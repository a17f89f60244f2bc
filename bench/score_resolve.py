"""Scores decisions against a judged set's truth.csv, as `evaluate-resolve` does: a match
is right when its candidate is the input's true target; precision and recall of matches,
F1, and recall@1 (the best candidate is the true target, over inputs that have one).

    python bench/score_resolve.py DIR DECISIONS.csv

DECISIONS.csv has columns id, decision (match, review or new) and candidate (the best
candidate's id, or empty), as `chainatlas resolve --format csv` writes them.
"""

import csv
import sys


def score(truth_path, decisions_path):
    truth = {}
    with open(truth_path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            truth[row["input_id"]] = row["target_id"] or None
    tp = fp = present = first = 0
    seen = set()
    with open(decisions_path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            target = truth[row["id"]]
            seen.add(row["id"])
            candidate = row["candidate"] or None
            if target is not None and candidate == target:
                first += 1
            if row["decision"] == "match":
                if candidate == target:
                    tp += 1
                else:
                    fp += 1
    present = sum(1 for t in truth.values() if t is not None)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / present if present else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "inputs": len(truth),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "recall_at_1": first / present if present else 0.0,
    }


def line(name, s, seconds):
    return (
        f"{name}: {s['inputs']} inputs, precision {s['precision']:.4f}, recall {s['recall']:.4f}, "
        f"F1 {s['f1']:.4f}, recall@1 {s['recall_at_1']:.4f}, {seconds:.1f} s"
    )


if __name__ == "__main__":
    print(score(f"{sys.argv[1]}/truth.csv", sys.argv[2]))
