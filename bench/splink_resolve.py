"""Splink (DuckDB) on a judged set written by `chainatlas evaluate-resolve --write DIR`:
links inputs.csv to targets.csv with the comparisons Splink offers out of the box, learns
its weights as its tutorials do (u from random pairs, m by EM over two blocking rules),
writes its decisions (a match is the best candidate at probability >= 0.99, as Chain
Atlas's threshold) to DIR/splink-decisions.csv and scores them with score_resolve.py.

    python bench/splink_resolve.py DIR
"""

import csv
import sys
import time

import pandas as pd
from score_resolve import line, score
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

MATCH_AT = 0.99


def read(path):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = df.rename(columns={"id": "unique_id"})
    for column in ("credit_code", "region"):
        df[column] = df[column].replace("", None)
    # Blocking keys as columns: the first two characters (often the place) and the
    # next two (often the brand).
    df["name_head"] = df["name"].str[:2]
    df["name_next"] = df["name"].str[2:4]
    return df


def main(folder):
    inputs = read(f"{folder}/inputs.csv")
    targets = read(f"{folder}/targets.csv")
    started = time.time()
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.ExactMatch("credit_code"),
            cl.JaroWinklerAtThresholds("name", [0.95, 0.88, 0.7]),
            cl.ExactMatch("region"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("credit_code"),
            block_on("name_head"),
            block_on("name_next"),
        ],
    )
    linker = Linker(
        [inputs, targets],
        settings,
        db_api=DuckDBAPI(),
        input_table_aliases=["inputs", "targets"],
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("name_head")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("credit_code")
    )
    predictions = linker.inference.predict(threshold_match_probability=0.01)
    df = predictions.as_pandas_dataframe()
    seconds = time.time() - started
    # Each pair has one side from each table; name them input and target.
    left_is_input = df["source_dataset_l"] == "inputs"
    df["input"] = df["unique_id_l"].where(left_is_input, df["unique_id_r"])
    df["target"] = df["unique_id_r"].where(left_is_input, df["unique_id_l"])
    best = df.sort_values("match_weight", ascending=False).drop_duplicates("input")
    out = f"{folder}/splink-decisions.csv"
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "decision", "candidate"])
        found = dict(zip(best["input"], zip(best["target"], best["match_probability"])))
        for input_id in inputs["unique_id"]:
            target, p = found.get(input_id, ("", 0.0))
            w.writerow([input_id, "match" if p >= MATCH_AT else "review" if p >= 0.5 else "new", target])
    print(line("splink", score(f"{folder}/truth.csv", out), seconds))


if __name__ == "__main__":
    main(sys.argv[1])
