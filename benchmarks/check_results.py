#!/usr/bin/env python3
"""Checks the shape (not the speed) of what benchmarks/run_all wrote: every suite ran, every
benchmark family is there at every size, every figure is a positive number, every peer is either
measured or said to be missing. With --run, runs `run_all --quick` into OUT first (the ctest test).

Usage: benchmarks/check_results.py [--run [--build DIR]] OUT
Exits 0 when the shape is right, 1 with the list of what is wrong, 77 (skip) when the kernel
refuses the namespaces every container needs."""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SUITES = ["cow", "container", "store", "run", "build"]
DEPTHS = [1, 10, 50, 100]


class Checker:
    def __init__(self):
        self.problems = []

    def number(self, where, value):
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
            self.problems.append(f"{where}: expected a positive number, got {value!r}")

    def that(self, ok, message):
        if not ok:
            self.problems.append(message)
        return ok


def check_gbench(c, out, name, families):
    path = os.path.join(out, name)
    if not c.that(os.path.exists(path), f"{name}: missing"):
        return []
    with open(path) as f:
        data = json.load(f)
    c.that("context" in data, f"{name}: no context")
    benches = data.get("benchmarks", [])
    c.that(len(benches) > 0, f"{name}: no benchmarks")
    errors = []
    for b in benches:
        if b.get("error_occurred"):
            errors.append(f"{b['name']}: {b.get('error_message')}")
        else:
            c.number(f"{name} {b['name']} real_time", b.get("real_time"))
    for family in families:
        c.that(any(b["name"].startswith(family + "/") for b in benches),
               f"{name}: no {family} benchmark")
    return errors


def check_summary(c, s, mode):
    c.that(s.get("mode") == mode, f"summary: mode {s.get('mode')!r}, expected {mode!r}")
    c.number("summary machine.cores", s.get("machine", {}).get("cores"))
    for suite in SUITES:
        st = s.get("suites", {}).get(suite, {}).get("status")
        c.that(st == "ok", f"summary: suite {suite} status {st!r}")
    c.that(isinstance(s.get("peers_missing"), dict), "summary: no peers_missing")
    rows = s.get("copy_up", [])
    c.that(len(rows) >= 4, f"summary: {len(rows)} copy-up sizes, expected at least 4")
    for r in rows:
        for k in ["overlay_write_ms", "overlay_chmod_ms", "copy_write_ms", "copy_chmod_ms",
                  "plain_copy_ms", "plain_copy_fsync_ms", "overlay_write_vs_plain_copy",
                  "overlay_write_vs_plain_copy_fsync"]:
            c.number(f"copy_up[{r.get('bytes')}].{k}", r.get(k))
    c.number("plain_chmod_us", s.get("plain_chmod_us"))
    for op in ["stat", "open"]:
        lk = s.get("lookup", {}).get(op, {})
        c.number(f"lookup.{op}.plain_ns", lk.get("plain_ns"))
        depths = [r.get("depth") for r in lk.get("rows", [])]
        c.that(depths == DEPTHS, f"lookup.{op}: depths {depths}, expected {DEPTHS}")
        for r in lk.get("rows", []):
            for k in ["overlay_cold_ns", "overlay_warm_ns", "copy_cold_ns", "overlay_cold_vs_plain"]:
                c.number(f"lookup.{op}[{r.get('depth')}].{k}", r.get(k))
    rows = s.get("lifecycle", [])
    c.that(len(rows) >= 2, f"summary: {len(rows)} image sizes, expected at least 2")
    for r in rows:
        for k in ["overlay_ms", "copy_ms", "overlay_create_ms", "copy_create_ms", "copy_vs_overlay"]:
            c.number(f"lifecycle[{r.get('image_mb')}].{k}", r.get(k))
    rows = s.get("commit", [])
    c.that(len(rows) >= 2, f"summary: {len(rows)} commit sizes, expected at least 2")
    for r in rows:
        for k in ["overlay_ms", "copy_ms", "sha256sum_ms", "overlay_vs_sha256sum"]:
            c.number(f"commit[{r.get('bytes')}].{k}", r.get(k))
    c.number("sha256_in_process_mib_s", s.get("sha256_in_process_mib_s"))
    run = s.get("run", {})
    for k in ["floor", "overlay", "copy"]:
        c.number(f"run.median_ms.{k}", run.get("median_ms", {}).get(k))
    for peer in ["runc", "crun"]:
        measured = peer in run.get("median_ms", {})
        c.that(measured or peer in s.get("peers_missing", {}),
               f"run: {peer} neither measured nor listed as missing")
        if measured:
            c.number(f"run.vs_floor.{peer}", run.get("vs_floor", {}).get(peer))
    build = s.get("build", {})
    for k in ["cold", "cached", "run"]:
        c.number(f"build.median_ms.{k}", build.get("median_ms", {}).get(k))
    c.number("build.cold_vs_cached", build.get("cold_vs_cached"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--run", action="store_true", help="run `run_all --quick` into OUT first")
    p.add_argument("--build", help="the build folder, for --run")
    p.add_argument("out")
    a = p.parse_args()
    if a.run:
        cmd = [sys.executable, os.path.join(HERE, "run_all"), "--quick", "--out", a.out]
        if a.build:
            cmd += ["--build", a.build]
        rc = subprocess.run(cmd).returncode
        if rc != 0:
            print(f"check_results: run_all exited {rc} (its shape is checked all the same)")
    c = Checker()
    path = os.path.join(a.out, "summary.json")
    if not os.path.exists(path):
        print(f"check_results: {path} missing")
        return 1
    with open(path) as f:
        summary = json.load(f)
    errors = check_gbench(c, a.out, "cow_bench.json", ["copy_up", "lookup"])
    errors += check_gbench(c, a.out, "container_bench.json", ["lifecycle", "commit"])
    errors += check_gbench(c, a.out, "store_bench.json", ["BM_Sha256"])
    if errors and all("namespace" in e for e in errors):
        print("check_results: SKIP: the kernel refuses the namespaces containers need here:")
        print("\n".join(errors[:3]))
        return 77
    c.problems += errors
    check_summary(c, summary, "quick" if a.run else summary.get("mode"))
    c.that(os.path.exists(os.path.join(a.out, "SUMMARY.md")), "SUMMARY.md missing")
    if c.problems:
        print(f"check_results: {len(c.problems)} problem(s) in {a.out}:")
        print("\n".join("  " + x for x in c.problems))
        return 1
    print(f"check_results: {a.out} has the expected shape ({summary.get('seconds')} s run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
