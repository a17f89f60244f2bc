#!/usr/bin/env python3
"""Scheduler benchmark: Chain Atlas against the exact MILP optimum (HiGHS) on small
instances, and against first-fit greedy on large ones, including the Wuhan-sized event
(1,100 participants, 5,000 accepted requests, 16 slots, 300 tables).

    bench/scheduler.sh            (sets up highspy in bench/out/venv, then runs this)

Instances are generated here (standard library random, fixed seeds) as buyer/supplier
events: suppliers' popularity is skewed (a few are asked by many), one participant in
five is available for only half the event, caps of 8-12 meetings, priorities 1-3.
"""
import json
import os
import random
import subprocess
import sys
import time

BIN = os.environ.get("CHAINATLAS", "target/release/chainatlas")
SMOKE = bool(os.environ.get("SMOKE"))
RESULTS = "bench/out/smoke" if SMOKE else "bench/out"
OUT = f"{RESULTS}/scheduler"


def generate(seed, participants, requests, slots, tables, days=2):
    rnd = random.Random(seed)
    buyers = int(participants * 0.4)
    people = []
    per_day = slots // days
    for i in range(participants):
        group = "buyer" if i < buyers else "supplier"
        p = {"id": i + 1, "group": group, "max_meetings": rnd.choice([8, 10, 12])}
        if rnd.random() < 0.2:
            # Half the event: one day, or mornings only.
            if rnd.random() < 0.5:
                d = rnd.randrange(days)
                p["available"] = list(range(d * per_day, (d + 1) * per_day))
            else:
                p["available"] = [s for s in range(slots) if s % per_day < per_day // 2]
        people.append(p)
    suppliers = list(range(buyers + 1, participants + 1))
    weights = [1.0 / (k + 1) ** 0.6 for k in range(len(suppliers))]
    rnd.shuffle(weights)
    pairs = set()
    meetings = []
    while len(meetings) < requests:
        b = rnd.randint(1, buyers)
        s = rnd.choices(suppliers, weights)[0]
        if (b, s) in pairs:
            continue
        pairs.add((b, s))
        w = rnd.choices([1, 2, 3], [0.6, 0.3, 0.1])[0]
        meetings.append({"id": len(meetings) + 1, "a": b, "b": s, "weight": w})
    return {
        "slots": slots,
        "slot_days": [s // per_day for s in range(slots)],
        "tables": tables,
        "participants": people,
        "may_meet": [["buyer", "supplier"]],
        "meetings": meetings,
    }


def run(instance, algorithm, name):
    path = f"{OUT}/{name}.json"
    with open(path, "w") as f:
        json.dump(instance, f)
    started = time.perf_counter()
    done = subprocess.run(
        [BIN, "schedule", "--instance", path, "--algorithm", algorithm, "--format", "json"],
        capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    result = json.loads(done.stdout)
    # The scheduler's own time, printed on stderr: "... in 12.3 ms"
    solve_ms = float(done.stderr.strip().rsplit(" in ", 1)[1].split()[0])
    return result, solve_ms, wall


def milp(instance, time_limit=60.0):
    import highspy
    slots, tables = instance["slots"], instance["tables"]
    people = {p["id"]: p for p in instance["participants"]}
    allowed = {tuple(x) for x in instance["may_meet"]}
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", time_limit)
    h.setOptionValue("mip_rel_gap", 0.0)
    var = {}
    for m in instance["meetings"]:
        a, b = people[m["a"]], people[m["b"]]
        if allowed and (a["group"], b["group"]) not in allowed and (b["group"], a["group"]) not in allowed:
            continue
        av = set(a.get("available") or range(slots)) & set(b.get("available") or range(slots))
        for s in sorted(av):
            var[(m["id"], s)] = h.getNumCol()
            h.addVar(0.0, 1.0)
            h.changeColCost(var[(m["id"], s)], float(m["weight"]))
            h.changeColIntegrality(var[(m["id"], s)], highspy.HighsVarType.kInteger)
    def row(cols, ub):
        if cols:
            h.addRow(-highspy.kHighsInf, float(ub), len(cols), cols, [1.0] * len(cols))
    by_meeting, by_person_slot, by_slot, by_person = {}, {}, {}, {}
    for m in instance["meetings"]:
        for s in range(slots):
            c = var.get((m["id"], s))
            if c is None:
                continue
            by_meeting.setdefault(m["id"], []).append(c)
            by_slot.setdefault(s, []).append(c)
            for p in (m["a"], m["b"]):
                by_person_slot.setdefault((p, s), []).append(c)
                by_person.setdefault(p, []).append(c)
    for cols in by_meeting.values():
        row(cols, 1)
    for cols in by_person_slot.values():
        row(cols, 1)
    for cols in by_slot.values():
        row(cols, tables)
    for p, cols in by_person.items():
        cap = people[p].get("max_meetings")
        if cap is not None:
            row(cols, cap)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    started = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - started
    status = h.getModelStatus()
    optimal = status == highspy.HighsModelStatus.kOptimal
    value = h.getInfo().objective_function_value
    return round(value), optimal, seconds


def main():
    os.makedirs(OUT, exist_ok=True)
    lines = []
    def say(text=""):
        print(text, flush=True)
        lines.append(text)
    say(f"machine: {os.cpu_count()} cores; {BIN}")
    say()
    say("## Against the exact optimum (HiGHS MILP, proven optimal only)")
    say("| size (participants / requests / slots / tables) | instances | Chain Atlas ÷ optimum: mean | worst | first-fit ÷ optimum: mean | worst | MILP time, mean |")
    say("|---|---|---|---|---|---|---|")
    sizes = [(40, 150, 8, 10), (80, 400, 8, 20), (150, 800, 12, 30), (300, 1500, 16, 60)]
    if SMOKE:
        sizes = sizes[:1]
    worst_overall = 1.0
    for (n, r, s, t) in sizes:
        ratios, greedy, times = [], [], []
        for seed in range(2 if SMOKE else 10):
            inst = generate(1000 * n + seed, n, r, s, t)
            best, _, _ = run(inst, "best", f"small-{n}-{seed}")
            first, _, _ = run(inst, "first-fit", f"small-{n}-{seed}-ff")
            opt, optimal, seconds = milp(inst)
            if not optimal:
                continue
            ratios.append(best["weight"] / opt)
            greedy.append(first["weight"] / opt)
            times.append(seconds)
        if ratios:
            worst_overall = min(worst_overall, min(ratios))
            say(f"| {n} / {r} / {s} / {t} | {len(ratios)} | {sum(ratios)/len(ratios):.4f} | {min(ratios):.4f} | "
                f"{sum(greedy)/len(greedy):.4f} | {min(greedy):.4f} | {sum(times)/len(times):.2f} s |")
    say()
    say(f"worst Chain Atlas ÷ optimum over all proven instances: {worst_overall:.4f}")
    say()
    say("## Large events: Chain Atlas against first-fit greedy")
    say("| size (participants / requests / slots / tables) | scheduler time | meetings placed | weight | idle slots | first-fit meetings | first-fit weight | first-fit idle slots | weight margin |")
    say("|---|---|---|---|---|---|---|---|---|")
    large = [(1100, 5000, 16, 300), (1100, 8000, 16, 300), (3000, 15000, 16, 800)]
    for (n, r, s, t) in large[:1] if SMOKE else large:
        inst = generate(7 * n + r, n, r, s, t)
        best, best_ms, _ = run(inst, "best", f"large-{n}-{r}")
        first, first_ms, _ = run(inst, "first-fit", f"large-{n}-{r}-ff")
        margin = best["weight"] / first["weight"] - 1
        say(f"| {n} / {r} / {s} / {t} | {best_ms/1000:.2f} s | {len(best['placed'])} | {best['weight']} | {best['gaps']} | "
            f"{len(first['placed'])} | {first['weight']} | {first['gaps']} | +{margin*100:.1f}% |")
    with open(f"{RESULTS}/scheduler.txt", "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
