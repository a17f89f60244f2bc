"""Economic complexity beside py-ecomplexity (the Growth Lab's Python package).

    python bench/complexity_peer.py make N_LOCATIONS N_PRODUCTS OUT.csv
    python bench/complexity_peer.py peer IN.csv OURS.csv

`make` writes a long table `year,location,product,value` (one year) shaped like county ×
industry output: each county holds a random share of the industries, with log-normal
values whose scale follows the county's size and the industry's, so RCA, presence and
ubiquity spread as real tables do. Seeded: the same arguments give the same table.

`peer` times `ecomplexity()` on IN.csv (reading included, as for Chain Atlas) and prints
the largest difference of every column from OURS.csv (Chain Atlas's CSV output of the
same table), absolute and relative to the value.
"""

import sys
import time


def make(n_loc, n_prod, out):
    import numpy as np

    rng = np.random.default_rng(20261128)
    size = rng.lognormal(0.0, 1.0, n_loc)
    scale = rng.lognormal(0.0, 1.2, n_prod)
    share = rng.uniform(0.1, 0.7, n_loc)
    held = rng.random((n_loc, n_prod)) < share[:, None]
    values = np.where(held, np.outer(size, scale) * rng.lognormal(0.0, 1.0, (n_loc, n_prod)) * 1000, 0.0)
    with open(out, "w") as f:
        f.write("year,location,product,value\n")
        for c in range(n_loc):
            row = values[c]
            for p in np.nonzero(row)[0]:
                f.write(f"2025,L{c:05d},P{p:05d},{row[p]:.2f}\n")


def peer(inp, ours):
    import numpy as np
    import pandas as pd
    from ecomplexity import ecomplexity

    start = time.time()
    data = pd.read_csv(inp, dtype={"location": str, "product": str})
    cols = {"time": "year", "loc": "location", "prod": "product", "val": "value"}
    result = ecomplexity(data, cols).rename(columns={"mcp": "M"})
    secs = time.time() - start
    print(f"py-ecomplexity: {secs:.2f} s wall, reading included")
    mine = pd.read_csv(ours, dtype={"location": str, "product": str})
    merged = result.drop(columns=["year", "value"]).merge(
        mine, on=["location", "product"], suffixes=("_py", "")
    )
    print(f"rows compared: {len(merged)} (py-ecomplexity {len(result)}, Chain Atlas {len(mine)})")
    for column in ["rca", "M", "density", "eci", "pci", "diversity", "ubiquity", "coi", "cog"]:
        ours_col = merged[column].astype(float)
        theirs = merged[f"{column}_py"].astype(float)
        diff = (ours_col - theirs).abs()
        rel = diff / theirs.abs().clip(lower=1.0)
        print(f"  {column:<9} largest difference {diff.max():.3e} (relative {rel.max():.3e})")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    else:
        peer(sys.argv[2], sys.argv[3])
