#!/usr/bin/env python3
"""bench_report.py: bench.sh's rows (one sample per line) -> the terminal table, ratios, goals and bench.json."""
import argparse
import json
import statistics
import sys

LABELS = ("reference", "libuv", "libevent", "nginx", "iperf3")
# Units where less is better: a ratio above 1 means the reference costs more.
LOWER_BETTER = {"s/GB", "B/conn", "MiB", "cores", "s", "us/s", "B"}


def load(path):
    """Groups samples by (section, name, unit), in first-seen order."""
    rows, order = {}, []
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 4:
                continue
            sec, name, unit, val = parts[:4]
            note = parts[4] if len(parts) > 4 else ""
            key = (sec, name, unit)
            if key not in rows:
                rows[key] = {"section": sec, "name": name, "unit": unit, "samples": [], "notes": [], "skip": ""}
                order.append(key)
            r = rows[key]
            if val == "skip":
                r["skip"] = note
            else:
                r["samples"].append(float(val))
                if note and note not in r["notes"]:
                    r["notes"].append(note)
    out = []
    for key in order:
        r = rows[key]
        s = r["samples"]
        if s:
            r.update(median=statistics.median(s), min=min(s), max=max(s), n=len(s))
            r["skip"] = ""
        out.append(r)
    return out


def split_label(name):
    """'echo 64 readers: libuv: server CPU' -> ('echo 64 readers: {}: server CPU', 'libuv')."""
    parts = name.split(": ")
    for i, p in enumerate(parts):
        if p in LABELS:
            return ": ".join(parts[:i] + ["{}"] + parts[i + 1:]), p
    return None, None


def ratios(rows):
    """reference/other for every row measured for the reference and another server, plus a few fixed pairs."""
    by = {(r["section"], r["name"], r["unit"]): r for r in rows if "median" in r}
    out = []
    for r in rows:
        tmpl, label = split_label(r["name"])
        if label != "reference" or "median" not in r:
            continue
        for other in LABELS[1:]:
            o = by.get((r["section"], tmpl.format(other), r["unit"]))
            if o and o["median"]:
                out.append({"name": f"{tmpl.format('reference/' + other)}", "unit": r["unit"],
                            "value": r["median"] / o["median"]})
    fixed = [("harness", "verifier echo (per core)", "verifier memcmp (per core)", "GB/s", "verifier echo / memcmp"),
             ("harness", "catalogue reference -j 2: to the end", "catalogue reference -j 1: to the end", "s",
              "catalogue -j 2 / -j 1"),
             ("inject", "reference, trace on (LD_PRELOAD)", "reference, trace off", "MB/s", "injector: trace on / off"),
             ("inject", "reference, trace on (LD_PRELOAD): server CPU", "reference, trace off: server CPU", "s/GB",
              "injector CPU: trace on / off")]
    for sec, a, b, unit, name in fixed:
        x, y = by.get((sec, a, unit)), by.get((sec, b, unit))
        if x and y and y["median"]:
            out.append({"name": name, "unit": unit, "value": x["median"] / y["median"]})
    return out


def goal(name, met, detail):
    return {"goal": name, "met": met, "detail": detail}


def goals(rows, rats):
    """The issue's goals, each met or missed with by how much."""
    g = []
    bad = []
    for q in rats:
        if "reference/" not in q["name"] or "iperf3" in q["name"] or "nginx" in q["name"]:
            continue
        worse = q["value"] > 1.0 if q["unit"] in LOWER_BETTER else q["value"] < 1.0
        if worse:
            bad.append(f"{q['name']} = {q['value']:.2f}")
    g.append(goal("reference >= libuv and libevent on every row", not bad, "; ".join(bad) or "all rows"))
    ip = [q for q in rats if q["name"] == "download 1 reader: reference/iperf3" and q["unit"] == "MB/s"]
    if ip:
        g.append(goal("one stream within 20% of iperf3", ip[0]["value"] >= 0.8, f"reference/iperf3 = {ip[0]['value']:.2f}"))
    for r in rows:
        if r["name"].startswith("verifier ") and "memcmp" not in r["name"] and "median" in r:
            g.append(goal(f"{r['name']} >= 2 GB/s", r["median"] >= 2.0, f"{r['median']:.2f} GB/s"))
        if r["name"].startswith("engine 10000") and "CPU" in r["name"] and "median" in r:
            note = r["notes"][0] if r["notes"] else ""
            done = note.split(" complete")[0]
            g.append(goal("10,000 slow readers from one harness process", done == "10000 of 10000", note))
        if r["name"].startswith("catalogue reference") and r["name"].endswith("to the end") and "median" in r:
            g.append(goal(f"{r['name'][10:]} < 30 s", r["median"] < 30, f"median {r['median']:.1f} s"))
    bug = [r for r in rows if r["name"].startswith("catalogue buggy") and r["name"].endswith("to the end") and "max" in r]
    if bug:
        worst = max(bug, key=lambda r: r["max"])
        g.append(goal("catalogue vs a hanging or crashing server < 60 s", worst["max"] < 60,
                      f"slowest: {worst['name'][10:]} {worst['max']:.1f} s"))
    return g


def fmt(v):
    return f"{v:.3g}" if abs(v) < 100 else f"{v:.0f}"


def table(rows, rats, gls, meta, out):
    w = max(len(r["name"]) for r in rows) if rows else 20
    sec = None
    print(f"edgecase bench: {meta.get('nproc')} cores, {meta.get('cpu')}, kernel {meta.get('kernel')}, "
          f"{'quick' if meta.get('quick') == '1' else 'full'} run, {meta.get('seconds')} s", file=out)
    for r in rows:
        if r["section"] != sec:
            sec = r["section"]
            print(f"\n== {sec}\n{'row':<{w}}  {'median':>9} {'min':>9} {'max':>9} {'unit':<7} n", file=out)
        if "median" not in r:
            print(f"{r['name']:<{w}}  {'skipped: ' + r['skip']}", file=out)
            continue
        note = f"  ({r['notes'][0]})" if r["notes"] else ""
        print(f"{r['name']:<{w}}  {fmt(r['median']):>9} {fmt(r['min']):>9} {fmt(r['max']):>9} {r['unit']:<7} "
              f"{r['n']}{note}", file=out)
    print("\n== ratios (medians)", file=out)
    for q in rats:
        print(f"{q['name']:<{w}}  {q['value']:9.2f} ({q['unit']})", file=out)
    print("\n== goals", file=out)
    for x in gls:
        print(f"{'met   ' if x['met'] else 'MISSED'} {x['goal']}: {x['detail']}", file=out)


def main():
    ap = argparse.ArgumentParser(description="Turns bench.sh's rows into a table and bench.json.")
    ap.add_argument("--rows", required=True, help="the TSV bench.sh wrote: section, row, unit, value, note")
    ap.add_argument("--json", required=True, help="where to write bench.json")
    ap.add_argument("--meta", action="append", default=[], help="KEY=VALUE for bench.json's meta")
    a = ap.parse_args()
    meta = {}
    for m in a.meta:
        if "=" not in m:
            ap.error(f"--meta: bad value '{m}' (KEY=VALUE)")
        k, v = m.split("=", 1)
        meta[k] = v
    rows = load(a.rows)
    rats = ratios(rows)
    gls = goals(rows, rats)
    with open(a.json, "w") as f:
        json.dump({"meta": meta, "rows": rows, "ratios": rats, "goals": gls}, f, indent=1)
        f.write("\n")
    table(rows, rats, gls, meta, sys.stdout)


if __name__ == "__main__":
    main()
