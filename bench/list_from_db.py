"""A messy enterprise list drawn from a Chain Atlas database, as a park or a sign-up
sheet would send it: for the web resolution benchmark (bench/resolve_web.sh).

    python3 bench/list_from_db.py ATLAS.db N OUT.csv

Of N rows, 60 % are enterprises of the atlas under their legal name (half with their
credit code, half without, with the city), 30 % the same without the organisational
form and without a code, 10 % firms the atlas lacks, with valid new credit codes (distinct).
Stdlib only; seeded, so the same database gives the same list."""

import csv
import random
import sqlite3
import sys

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def with_check(code17):
    """GB 32100-2015: the 18th character from the first 17."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(code17, WEIGHTS))
    return code17 + ALPHABET[(31 - total % 31) % 31]


def main():
    db, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    rng = random.Random(17)
    conn = sqlite3.connect(db)
    top = conn.execute("SELECT MAX(id) FROM enterprises").fetchone()[0]
    ids = rng.sample(range(1, top + 1), int(n * 0.9))
    rows = []
    for i, eid in enumerate(ids):
        found = conn.execute(
            "SELECT name_zh, credit_code, region_code FROM enterprises WHERE id = ?", (eid,)
        ).fetchone()
        if not found:
            continue
        name, code, region = found
        city = str(region // 100 * 100)
        if i % 3 == 2:
            short = name.replace("股份有限公司", "").replace("有限责任公司", "").replace("有限公司", "")
            rows.append((short, "", city, ""))
        elif i % 2 == 0:
            rows.append((name, code, str(region), f"{city} 工业园 {i} 号"))
        else:
            rows.append((name, "", city, ""))
    for i in range(n - len(rows)):
        code = with_check(f"91430211MA4{i:06d}")
        rows.append((f"湘江新区第{i}号新兴科技有限公司", code, "430200", f"长沙市岳麓区 {i} 号"))
    rng.shuffle(rows)
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["序号", "企业名称", "统一社会信用代码", "所在地区", "地址"])
        for i, r in enumerate(rows, 1):
            w.writerow([i, *r])


main()
