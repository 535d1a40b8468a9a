"""Turns run_all's raw results into the figures that matter, with their ratios to the limits
(summary.json), and those into Markdown tables (SUMMARY.md). Used by run_all and the notebooks."""
import json
import os

UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
MIB = 1 << 20


def load_gbench(path):
    """{(group, op, driver): {arg: entry}} from a Google Benchmark JSON file; entry['seconds']
    is its time per iteration in seconds. Errored entries are kept with 'error' set."""
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        data = json.load(f)
    table = {}
    for b in data.get("benchmarks", []):
        if b.get("run_type") == "aggregate":
            continue
        parts = b["name"].split("/")  # group/op/driver/arg[/iterations:N/manual_time]
        if len(parts) < 4 or not parts[3].isdigit():
            continue
        key, arg = tuple(parts[:3]), int(parts[3])
        entry = dict(b)
        entry["seconds"] = b.get("real_time", 0) * UNIT_SECONDS.get(b.get("time_unit", "ns"), 1e-9)
        if "median_ns" in b:  # robust to one slow fsync among a few iterations
            entry["seconds"] = b["median_ns"] * 1e-9
        if b.get("error_occurred"):
            entry["error"] = b.get("error_message", "error")
        table.setdefault(key, {})[arg] = entry
    return table


def _t(table, key, arg, scale):
    e = table.get(key, {}).get(arg)
    if not e or "error" in e:
        return None
    return round(e["seconds"] * scale, 6)


def _ratio(a, b):
    return round(a / b, 2) if a is not None and b else None


def _rate(nbytes, ms):
    return round(nbytes / MIB / (ms / 1000), 1) if ms else None


def copy_up(cow):
    rows = []
    for s in sorted(cow.get(("copy_up", "write", "overlay"), {})):
        r = {"bytes": s}
        for op in ["write", "chmod"]:
            for drv in ["overlay", "copy"]:
                r[f"{drv}_{op}_ms"] = _t(cow, ("copy_up", op, drv), s, 1e3)
        r["plain_copy_ms"] = _t(cow, ("copy_up", "cp", "plain"), s, 1e3)
        r["plain_copy_fsync_ms"] = _t(cow, ("copy_up", "cp_fsync", "plain"), s, 1e3)
        r["overlay_write_vs_plain_copy"] = _ratio(r["overlay_write_ms"], r["plain_copy_ms"])
        r["overlay_write_vs_plain_copy_fsync"] = _ratio(r["overlay_write_ms"],
                                                        r["plain_copy_fsync_ms"])
        r["overlay_chmod_vs_plain_copy_fsync"] = _ratio(r["overlay_chmod_ms"],
                                                        r["plain_copy_fsync_ms"])
        r["overlay_write_mib_s"] = _rate(s, r["overlay_write_ms"])
        r["plain_copy_mib_s"] = _rate(s, r["plain_copy_ms"])
        rows.append(r)
    return rows


def lookup(cow):
    out = {}
    for op in ["stat", "open"]:
        plain = cow.get(("lookup", op, "plain"), {}).get(1)
        plain_ns = None if not plain or "error" in plain else round(plain["seconds"] * 1e9, 1)
        rows = []
        for depth in sorted(cow.get(("lookup", op, "overlay"), {})):
            r = {"depth": depth}
            for drv in ["overlay", "copy"]:
                e = cow.get(("lookup", op, drv), {}).get(depth)
                ok = e and "error" not in e
                r[f"{drv}_cold_ns"] = round(e["seconds"] * 1e9, 1) if ok else None
                r[f"{drv}_warm_ns"] = round(e.get("warm_ns", 0), 1) if ok else None
            r["overlay_cold_vs_plain"] = _ratio(r["overlay_cold_ns"], plain_ns)
            rows.append(r)
        out[op] = {"plain_ns": plain_ns, "rows": rows}
    return out


def lifecycle(cont):
    rows = []
    for mb in sorted(cont.get(("lifecycle", "create_start_rm", "overlay"), {})):
        r = {"image_mb": mb}
        for drv in ["overlay", "copy"]:
            e = cont.get(("lifecycle", "create_start_rm", drv), {}).get(mb)
            ok = e and "error" not in e
            r[f"{drv}_ms"] = round(e["seconds"] * 1e3, 2) if ok else None
            for phase in ["create", "start", "remove"]:
                r[f"{drv}_{phase}_ms"] = round(e.get(f"{phase}_ms", 0), 2) if ok else None
        r["copy_vs_overlay"] = _ratio(r["copy_ms"], r["overlay_ms"])
        rows.append(r)
    for drv in ["overlay", "copy"]:
        first = rows[0].get(f"{drv}_ms") if rows else None
        for r in rows:
            r[f"{drv}_vs_smallest"] = _ratio(r[f"{drv}_ms"], first)
    return rows


def commit(cont):
    rows = []
    for s in sorted(cont.get(("commit", "sha256sum", "plain"), {})):
        r = {"bytes": s}
        for drv in ["overlay", "copy"]:
            r[f"{drv}_ms"] = _t(cont, ("commit", "diff_tar_sha256", drv), s, 1e3)
        r["sha256sum_ms"] = _t(cont, ("commit", "sha256sum", "plain"), s, 1e3)
        r["overlay_mib_s"] = _rate(s, r["overlay_ms"])
        r["sha256sum_mib_s"] = _rate(s, r["sha256sum_ms"])
        r["overlay_vs_sha256sum"] = _ratio(r["overlay_ms"], r["sha256sum_ms"])
        r["copy_vs_sha256sum"] = _ratio(r["copy_ms"], r["sha256sum_ms"])
        rows.append(r)
    return rows


def sha256_in_process(path):
    """store_bench's BM_Sha256 at its largest size, MiB/s (OpenSSL, no process, no disk)."""
    if not os.path.exists(path):
        return None
    with open(path) as f:
        best = None
        for b in json.load(f).get("benchmarks", []):
            if b["name"].startswith("BM_Sha256/") and "bytes_per_second" in b:
                best = round(b["bytes_per_second"] / MIB, 1)
        return best


def figures(out, suites):
    cow = load_gbench(os.path.join(out, "cow_bench.json"))
    cont = load_gbench(os.path.join(out, "container_bench.json"))
    f = {}
    if "cow" in suites:
        f["copy_up"] = copy_up(cow)
        f["plain_chmod_us"] = _t(cow, ("copy_up", "chmod", "plain"), 0, 1e6)
        f["lookup"] = lookup(cow)
    if "container" in suites:
        f["lifecycle"] = lifecycle(cont)
        f["commit"] = commit(cont)
    if "store" in suites:
        f["sha256_in_process_mib_s"] = sha256_in_process(os.path.join(out, "store_bench.json"))
    if "run" in suites and os.path.exists(os.path.join(out, "run_vs_floor.json")):
        with open(os.path.join(out, "run_vs_floor.json")) as fh:
            run = json.load(fh)
        floor = run["median_ms"].get("floor")
        run["vs_floor"] = {k: _ratio(v, floor) for k, v in run["median_ms"].items()}
        f["run"] = run
    if "build" in suites and os.path.exists(os.path.join(out, "build_bench.json")):
        with open(os.path.join(out, "build_bench.json")) as fh:
            build = json.load(fh)
        ms = build["median_ms"]
        build["cold_vs_cached"] = _ratio(ms.get("cold"), ms.get("cached"))
        build["cold_vs_one_run"] = _ratio(ms.get("cold"), ms.get("run"))
        f["build"] = build
    return f


def _size(n):
    for unit, div in [("GiB", 1 << 30), ("MiB", MIB), ("KiB", 1024)]:
        if n >= div:
            return f"{n / div:g} {unit}"
    return f"{n} B"


def _fmt(v, suffix=""):
    if v is None:
        return "—"
    return f"{v:.3g}{suffix}" if isinstance(v, float) and abs(v) < 10 else f"{v:,.1f}{suffix}" \
        if isinstance(v, float) else f"{v}{suffix}"


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def markdown(s):
    m = s["machine"]
    md = [f"# layerlab benchmarks ({s['mode']} run, {s['date']})\n",
          f"Machine: {m.get('cores')} cores, {m.get('memory_gib')} GiB, {m.get('cpu', '?')}, "
          f"Linux {m.get('kernel')}, scratch {m.get('scratch_fs', '?')}. "
          f"Whole run: {s['seconds']} s.\n"]
    missing = s.get("peers_missing", {})
    md.append("Peers missing: " + (", ".join(f"{k} ({v})" for k, v in missing.items())
                                   if missing else "none") + ".\n")
    failed = [k for k, v in s["suites"].items() if v["status"] != "ok"]
    if failed:
        md.append("**Failed suites: " + ", ".join(failed) + "** (see their .log files).\n")
    if s.get("copy_up"):
        md.append("## Copy-up: first change to a file of the image, by size (ms)\n")
        md.append(_table(
            ["file", "overlay write", "overlay chmod", "copy write", "copy chmod", "plain cp",
             "plain cp+fsync", "overlay write / cp", "/ cp+fsync", "overlay MiB/s"],
            [[_size(r["bytes"]), _fmt(r["overlay_write_ms"]), _fmt(r["overlay_chmod_ms"]),
              _fmt(r["copy_write_ms"]), _fmt(r["copy_chmod_ms"]), _fmt(r["plain_copy_ms"]),
              _fmt(r["plain_copy_fsync_ms"]), _fmt(r["overlay_write_vs_plain_copy"], "x"),
              _fmt(r["overlay_write_vs_plain_copy_fsync"], "x"), _fmt(r["overlay_write_mib_s"])]
             for r in s["copy_up"]]))
        md.append(f"\nA plain chmod (no copy): {_fmt(s.get('plain_chmod_us'))} us.\n")
    for op, data in (s.get("lookup") or {}).items():
        md.append(f"## Lookup ({op}) by layer depth, ns per lookup "
                  f"(no union: {_fmt(data['plain_ns'])} ns)\n")
        md.append(_table(
            ["layers", "overlay cold", "overlay warm", "copy", "overlay cold / no union"],
            [[r["depth"], _fmt(r["overlay_cold_ns"]), _fmt(r["overlay_warm_ns"]),
              _fmt(r["copy_cold_ns"]), _fmt(r["overlay_cold_vs_plain"], "x")]
             for r in data["rows"]]))
    if s.get("lifecycle"):
        md.append("## Container create + start + rm by image size (ms)\n")
        md.append(_table(
            ["image", "overlay", "(create/start/rm)", "copy", "(create/start/rm)",
             "copy / overlay", "overlay vs smallest", "copy vs smallest"],
            [[f"{r['image_mb']} MiB", _fmt(r["overlay_ms"]),
              f"{_fmt(r['overlay_create_ms'])}/{_fmt(r['overlay_start_ms'])}/"
              f"{_fmt(r['overlay_remove_ms'])}", _fmt(r["copy_ms"]),
              f"{_fmt(r['copy_create_ms'])}/{_fmt(r['copy_start_ms'])}/{_fmt(r['copy_remove_ms'])}",
              _fmt(r["copy_vs_overlay"], "x"), _fmt(r["overlay_vs_smallest"], "x"),
              _fmt(r["copy_vs_smallest"], "x")] for r in s["lifecycle"]]))
    if s.get("commit"):
        md.append("## Commit (diff + tar + sha256 + store) vs `sha256sum` of the same bytes (ms)\n")
        md.append(_table(
            ["writable layer", "commit overlay", "commit copy", "sha256sum", "overlay / sha256sum",
             "copy / sha256sum", "commit MiB/s", "sha256sum MiB/s"],
            [[_size(r["bytes"]), _fmt(r["overlay_ms"]), _fmt(r["copy_ms"]),
              _fmt(r["sha256sum_ms"]), _fmt(r["overlay_vs_sha256sum"], "x"),
              _fmt(r["copy_vs_sha256sum"], "x"), _fmt(r["overlay_mib_s"]),
              _fmt(r["sha256sum_mib_s"])] for r in s["commit"]]))
        if s.get("sha256_in_process_mib_s"):
            md.append(f"\nSHA-256 in process (OpenSSL, store_bench): "
                      f"{_fmt(s['sha256_in_process_mib_s'])} MiB/s.\n")
    if s.get("run"):
        r = s["run"]
        md.append(f"## `run --rm busybox true` vs the floor (median ms, N={r.get('n')})\n")
        md.append(_table(["command", "median ms", "x floor"],
                         [[k, _fmt(v), _fmt(r["vs_floor"].get(k), "x")]
                          for k, v in r["median_ms"].items()]))
    if s.get("build"):
        b = s["build"]
        ms = b["median_ms"]
        md.append(f"## Build (median ms, N={b.get('n')})\n")
        md.append(_table(["cold (--no-cache)", "cached", "cold / cached", "one run --rm"],
                         [[_fmt(ms.get("cold")), _fmt(ms.get("cached")),
                           _fmt(b.get("cold_vs_cached"), "x"), _fmt(ms.get("run"))]]))
    return "\n".join(md)
