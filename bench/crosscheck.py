#!/usr/bin/env python3
"""An independent implementation of Chain Atlas's diagnostics on networkx.

It reads a Chain Atlas SQLite database directly (not through our code), rebuilds the
supply graph with networkx and computes the same analyses by different algorithms:

- disruption: greatest fixed point by sweeping the strongly connected components of the
  reachable subgraph in topological order (nx.condensation), iterating inside each
  component until nothing changes; tiers by breadth-first search over affected units;
- chokepoints: one full simulation per candidate (the naive method);
- coverage, supporting rates and HHI: straightforward aggregation.

Modes:
  crosscheck.py fixture DB OUT.json   write the cross-check fixture for the Rust tests
  crosscheck.py bench DB CHAIN REGION time a whole-region disruption, print JSON

The model is the one in crates/analysis/src/disrupt.rs (see docs/diagnostics.md).
"""
import json
import sqlite3
import sys
import time
from collections import defaultdict, deque

import networkx as nx

AFFECTED = 1e-9


def contains(region, code):
    if region % 10000 == 0:
        return region <= code <= region + 9999
    if region % 100 == 0:
        return region <= code <= region + 99
    return region == code


def city(code):
    return None if code % 10000 == 0 else code // 100 * 100


class Atlas:
    def __init__(self, db, chain=None):
        con = sqlite3.connect(db)
        self.chains = {code: cid for cid, code in con.execute("SELECT id, code FROM chains")}
        self.node_chain = dict(con.execute("SELECT id, chain_id FROM chain_nodes"))
        self.node_segment = dict(con.execute("SELECT id, segment FROM chain_nodes"))
        self.inputs_of = defaultdict(set)
        for i, o in con.execute("SELECT input_node_id, output_node_id FROM node_inputs"):
            self.inputs_of[o].add(i)
        self.region = dict(con.execute("SELECT id, region_code FROM enterprises"))
        keep = None
        if chain is not None:
            keep = {n for n, c in self.node_chain.items() if c == self.chains[chain]}
        self.output, self.capacity = {}, {}
        self.units_of = defaultdict(list)
        for e, n, out, cap in con.execute(
                "SELECT enterprise_id, node_id, output_fen, capacity_fen FROM enterprise_nodes"):
            if keep is None or n in keep:
                self.add_unit((e, n), out, cap)
        self.slots = defaultdict(list)  # (buyer, node) -> [(supplier unit, value)]
        for s, b, n, v in con.execute(
                "SELECT supplier_id, buyer_id, node_id, annual_value_fen FROM supply_relations"):
            if keep is None or n in keep:
                if (s, n) not in self.output:
                    self.add_unit((s, n), 0, 0)  # implied unit
                self.slots[(b, n)].append(((s, n), v))
        self.g = nx.DiGraph()
        self.g.add_nodes_from(self.output)
        self.feeds = {}
        self.feeding = defaultdict(list)  # unit -> slots that feed it
        for (b, n), rels in self.slots.items():
            units = [u for u in self.units_of[b] if n in self.inputs_of[u[1]]] or list(self.units_of[b])
            self.feeds[(b, n)] = units
            for v in units:
                self.feeding[v].append((b, n))
                for u, _ in rels:
                    self.g.add_edge(u, v)

    def add_unit(self, unit, out, cap):
        self.output[unit], self.capacity[unit] = out, cap
        self.units_of[unit[0]].append(unit)

    def chain_units(self, chain):
        cid = self.chains[chain]
        return [u for u in self.output if self.node_chain[u[1]] == cid]

    def shock_units(self, chain, enterprises=(), regions=(), nodes=()):
        return sorted(
            u for u in self.chain_units(chain)
            if (not enterprises or u[0] in enterprises)
            and (not regions or any(contains(r, self.region[u[0]]) for r in regions))
            and (not nodes or u[1] in nodes))

    def simulate(self, hit, fraction):
        """Healths of the units reachable from `hit` after removing `fraction` of it."""
        direct = {u: 1.0 - fraction for u in hit}
        reach = set(hit)
        for u in hit:
            reach |= nx.descendants(self.g, u)
        sub = self.g.subgraph(reach)
        health = {u: 1.0 for u in reach}

        def value(v):
            h = direct.get(v, 1.0)
            for slot in self.feeding[v]:
                total = sum(val for _, val in self.slots[slot])
                if total <= 0:
                    continue
                lost = sum(val * (1.0 - health.get(s, 1.0)) for s, val in self.slots[slot])
                h = min(h, max(0.0, 1.0 - lost / total))
            return h

        dag = nx.condensation(sub)
        for c in nx.topological_sort(dag):
            members = dag.nodes[c]["members"]
            while True:
                change = 0.0
                for v in members:
                    new = value(v)
                    change = max(change, abs(new - health[v]))
                    health[v] = new
                if change < 1e-13:
                    break
        return health

    def impact(self, hit, fraction):
        health = self.simulate(hit, fraction)
        affected = {u for u, h in health.items() if 1.0 - h > AFFECTED}
        tier = {u: 0 for u in hit if u in affected}
        queue = deque(tier)
        while queue:
            u = queue.popleft()
            for v in self.g.successors(u):
                if v in affected and v not in tier:
                    tier[v] = tier[u] + 1
                    queue.append(v)
        loss = {u: self.output[u] * (1.0 - health[u]) for u in affected}
        by_node = defaultdict(float)
        for u, l in loss.items():
            by_node[u[1]] += l
        return {
            "total_loss_fen": sum(loss.values()),
            "direct_loss_fen": sum(loss[u] for u in hit if u in loss),
            "affected_enterprises": len({u[0] for u in affected}),
            "tiers": max(tier.values(), default=0),
            "loss_by_node": {str(n): l for n, l in sorted(by_node.items())},
        }, health

    def chokepoints(self, chain, top):
        units = self.chain_units(chain)
        by_enterprise = defaultdict(list)
        for u in units:
            by_enterprise[u[0]].append(u)
        ranked = []
        for e, hit in by_enterprise.items():
            health = self.simulate(sorted(hit), 1.0)
            total = sum(self.output[u] * (1.0 - h) for u, h in health.items())
            own = sum(self.output[u] * (1.0 - health.get(u, 1.0)) for u in self.units_of[e])
            ranked.append((-(max(0.0, total - own)), e))
        ranked.sort()
        return [{"enterprise": e, "downstream_loss_fen": -l} for l, e in ranked[:top]]

    def coverage(self, chain, region, weak_below=0.5, strong_from=1.5):
        cid = self.chains[chain]
        all_out = sum(self.output.values())
        region_all = sum(o for u, o in self.output.items() if contains(region, self.region[u[0]]))
        rows = {}
        for n in sorted(n for n, c in self.node_chain.items() if c == cid):
            members = [u for u in self.output if u[1] == n]
            local = [u for u in members if contains(region, self.region[u[0]])]
            out = sum(self.output[u] for u in local)
            total = sum(self.output[u] for u in members)
            lq = (out / region_all) / (total / all_out) if region_all > 0 and total > 0 and all_out > 0 else None
            if not local:
                status = "missing"
            elif lq is not None and lq >= strong_from:
                status = "strong"
            elif lq is not None and lq >= weak_below:
                status = "present"
            else:
                status = "weak"
            rows[str(n)] = {"enterprises": len(local), "output_fen": out, "location_quotient": lq, "status": status}
        return rows

    def buyers(self, chain, region):
        cid = self.chains[chain]
        return sorted({u[0] for u in self.output
                       if self.node_chain[u[1]] == cid and contains(region, self.region[u[0]])})

    def supporting(self, chain, region):
        cid = self.chains[chain]
        total = same_city = same_province = 0
        for b in self.buyers(chain, region):
            for (buyer, n), rels in self.slots.items():
                if buyer != b or self.node_chain[n] != cid:
                    continue
                for (s, _), v in rels:
                    rs, rb = self.region[s], self.region[b]
                    total += v
                    if city(rs) is not None and city(rs) == city(rb):
                        same_city += v
                    if rs // 10000 == rb // 10000:
                        same_province += v
        return {"total_fen": total, "same_city_fen": same_city, "same_province_fen": same_province}

    def hhi(self, chain, region):
        cid = self.chains[chain]
        per_node = defaultdict(lambda: defaultdict(int))
        buyers = set(self.buyers(chain, region))
        for (b, n), rels in self.slots.items():
            if b in buyers and self.node_chain[n] == cid:
                for (s, _), v in rels:
                    per_node[n][s] += v
        out = {}
        for n, by_supplier in sorted(per_node.items()):
            total = sum(by_supplier.values())
            out[str(n)] = sum((v / total) ** 2 for v in by_supplier.values()) * 10000 if total > 0 else 0.0
        return out


def first_nodes(atlas, chain, segment, k):
    cid = atlas.chains[chain]
    return sorted(n for n, c in atlas.node_chain.items() if c == cid and atlas.node_segment[n] == segment)[:k]


def busiest_nodes(atlas, chain, region, k):
    count = defaultdict(int)
    for u in atlas.chain_units(chain):
        if contains(region, atlas.region[u[0]]) and atlas.node_segment[u[1]] != "downstream":
            count[u[1]] += 1
    return sorted(sorted(count, key=lambda n: (-count[n], n))[:k])


def fixture(db, path):
    atlas = Atlas(db)
    upstream_firms = sorted({u[0] for u in atlas.chain_units("nev") if atlas.node_segment[u[1]] == "upstream"})[:3]
    scenarios = [
        {"chain": "rail", "regions": [430200], "fraction": 1.0},
        {"chain": "rail", "regions": [430000], "fraction": 0.3},
        {"chain": "nev", "regions": [420100], "fraction": 1.0},
        {"chain": "nev", "enterprises": upstream_firms, "fraction": 1.0},
        {"chain": "wafer", "nodes": first_nodes(atlas, "wafer", "upstream", 1), "fraction": 0.5},
        {"chain": "construction", "regions": [430100], "nodes": busiest_nodes(atlas, "construction", 430100, 2), "fraction": 1.0},
    ]
    for s in scenarios:
        hit = atlas.shock_units(s["chain"], s.get("enterprises", ()), s.get("regions", ()), s.get("nodes", ()))
        s["expected"], _ = atlas.impact(hit, s["fraction"])
    pairs = [("rail", 430000), ("rail", 430200), ("nev", 420100), ("wafer", 140000), ("robot", 440000)]
    out = {
        "generated_by": "bench/crosscheck.py with networkx " + nx.__version__,
        "database": "chainatlas demo --seed 2024",
        "disruptions": scenarios,
        "diagnoses": [
            {"chain": c, "region": r, "coverage": atlas.coverage(c, r),
             "supporting": atlas.supporting(c, r), "hhi": atlas.hhi(c, r)}
            for c, r in pairs
        ],
        "chokepoints": [{"chain": c, "top": atlas.chokepoints(c, 10)} for c in ("rail", "nev")],
    }
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


def bench(db, chain, region, repeat=3):
    started = time.perf_counter()
    atlas = Atlas(db, chain)
    load = time.perf_counter() - started
    hit = atlas.shock_units(chain, regions=[region])
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result, _ = atlas.impact(hit, 1.0)
        times.append(time.perf_counter() - started)
    out = {
        "networkx": nx.__version__, "chain": chain, "region": region,
        "units": atlas.g.number_of_nodes(), "edges": atlas.g.number_of_edges(),
        "load_s": round(load, 2), "disruption_s": sorted(times),
        "hit_units": len(hit), "total_loss_fen": result["total_loss_fen"],
        "affected_enterprises": result["affected_enterprises"], "tiers": result["tiers"],
    }
    # The floor for touching what the disruption reaches: one plain breadth-first search
    # in C (python-igraph) from all the hit units at once (a source vertex before them),
    # over the same unit graph. Only the search is timed, not building the graph.
    try:
        import igraph as ig
    except ImportError:
        ig = None
    if ig is not None:
        index = {u: i for i, u in enumerate(atlas.g.nodes())}
        source = len(index)
        edges = [(index[a], index[b]) for a, b in atlas.g.edges()]
        edges += [(source, index[u]) for u in hit]
        graph = ig.Graph(n=source + 1, edges=edges, directed=True)
        bfs = []
        for _ in range(repeat):
            started = time.perf_counter()
            order, _, _ = graph.bfs(source, mode="out")
            bfs.append(time.perf_counter() - started)
        out.update({"igraph": ig.__version__, "igraph_bfs_s": sorted(bfs),
                    "igraph_reached_units": len(order) - 1})
    print(json.dumps(out))


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "fixture" and len(sys.argv) == 4:
        fixture(sys.argv[2], sys.argv[3])
    elif mode == "bench" and len(sys.argv) == 5:
        bench(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(__doc__)
