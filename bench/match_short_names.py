"""`chainatlas match` on real enterprise short names, beside plain BM25 over characters.

    python3 bench/match_short_names.py BIN LIST.csv WORKDIR

LIST.csv is the Shenzhen Stock Exchange's A-share list (A股列表, saved as CSV; not
committed, see docs/resolve.md): each company's short name (A股简称) becomes a demand, each
legal name (公司全称) a supply, and `BIN match --demands --supplies --top 1` ranks the
supplies for every demand. Prints recall@1 (the company's own legal name first), the
demands with no candidate, and plain BM25 (k1 1.2, b 0.75, over characters, as
`evaluate-resolve` computes it) on the same 2,880 names.
"""

import collections
import csv
import math
import os
import subprocess
import sys


def main(binary, listing, work):
    os.makedirs(work, exist_ok=True)
    rows = [r for r in csv.DictReader(open(listing, encoding="utf-8")) if r["A股代码"].strip()]
    demands = [(r["A股代码"].strip(), r["A股简称"].replace(" ", "")) for r in rows]
    supplies = [(r["A股代码"].strip(), r["公司全称"].strip()) for r in rows]
    for name, items in (("demands", demands), ("supplies", supplies)):
        with open(f"{work}/{name}.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["id", "title", "description"])
            w.writerows([(code, title, "") for code, title in items])
    out = subprocess.run(
        [binary, "match", "--demands", f"{work}/demands.csv", "--supplies",
         f"{work}/supplies.csv", "--top", "1", "--format", "csv"],
        check=True, capture_output=True, text=True).stdout
    first = {r["query"]: r["candidate"] for r in csv.DictReader(out.splitlines()) if r["rank"] == "1"}
    right = sum(1 for code, _ in demands if first.get(code) == code)
    print(f"chainatlas match: recall@1 {right / len(demands):.4f} ({right} of {len(demands)}), "
          f"{len(demands) - len(first)} without a candidate")

    terms = lambda text: [c for c in text if c.isalnum()]
    docs = [terms(t) for _, t in supplies]
    postings = collections.defaultdict(list)
    for i, d in enumerate(docs):
        for t, c in collections.Counter(d).items():
            postings[t].append((i, c))
    n, avg, k1, b = len(docs), sum(map(len, docs)) / len(docs), 1.2, 0.75
    right = 0
    for i, (_, title) in enumerate(demands):
        scores = collections.defaultdict(float)
        for t in set(terms(title)):
            found = postings.get(t, [])
            idf = math.log(1 + (n - len(found) + 0.5) / (len(found) + 0.5))
            for d, tf in found:
                scores[d] += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(docs[d]) / avg))
        if scores and max(scores.items(), key=lambda x: (x[1], -x[0]))[0] == i:
            right += 1
    print(f"BM25 over characters: recall@1 {right / len(demands):.4f} ({right} of {len(demands)})")


if __name__ == "__main__":
    main(*sys.argv[1:4])
