"""The divisions, groups and classes of China's national industry classification
(GB/T 4754-2017), as the list Chain Atlas embeds to validate enterprises' industry codes.

    python3 scripts/update-industries.py GB_2011_2017.csv

The input is `inst/extdata/gb_2011_2017.csv` of the MIT-licensed R package `gbcrosswalk`
(github.com/robin621/gbcrosswalk, Yajie Wang), the 2011 → 2017 crosswalk: its `to_code`
column at levels L, M and S holds every 2017 division, group and class. Writes
crates/model/data/industry-codes.txt, one code per line, sorted.
"""

import csv
import os
import sys

OUT = os.path.join(os.path.dirname(__file__), "..", "crates", "model", "data", "industry-codes.txt")
WIDTH = {"L": 2, "M": 3, "S": 4}


def main(path):
    codes = set()
    for row in csv.DictReader(open(path, encoding="utf-8")):
        code = row["to_code"].strip()
        if row["level"] in WIDTH and code.isdigit() and len(code) == WIDTH[row["level"]]:
            codes.add(code)
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("".join(c + "\n" for c in sorted(codes)))
    counts = {n: sum(1 for c in codes if len(c) == n) for n in (2, 3, 4)}
    print(f"{counts[2]} divisions, {counts[3]} groups, {counts[4]} classes → {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
