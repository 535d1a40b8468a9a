#!/usr/bin/env python3
"""Times commands side by side: N rounds, each running every command once in turn (after one
warm-up round), so that all of them see the same machine; prints `label<TAB>median ms` per command,
or `label<TAB>failed: ...` for one that exited non-zero. Each command is started with posix_spawn
and waited for; its output goes to /dev/null. The clock is CLOCK_MONOTONIC around the spawn and the
wait, so the timer's own cost is a fraction of a millisecond, the same for every command.

With --gap MS, the timer pauses MS milliseconds after each command, so that what a command leaves
running in the background (layerlab deletes a removed container's folder that way) is done before
the next one starts: every command is then timed on a quiet machine.

Usage: interleave.py [--gap MS] N < commands.json   ([{"label": "...", "argv": [...]}, ...])
"""
import json
import os
import shutil
import statistics
import sys
import time


def run_once(argv, devnull):
    t0 = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, os.environ,
                         file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1),
                                       (os.POSIX_SPAWN_DUP2, devnull, 2)])
    _, status = os.waitpid(pid, 0)
    return (time.perf_counter_ns() - t0) / 1e6, os.waitstatus_to_exitcode(status)


def main():
    args = sys.argv[1:]
    gap = 0.0
    if args[:1] == ["--gap"]:
        gap, args = float(args[1]) / 1000, args[2:]
    rounds = int(args[0])
    commands = json.load(sys.stdin)
    for c in commands:
        exe = shutil.which(c["argv"][0])
        if exe is None:
            raise SystemExit(f"interleave.py: {c['argv'][0]}: not found")
        c["argv"] = [exe] + c["argv"][1:]
    devnull = os.open(os.devnull, os.O_WRONLY)
    times = {c["label"]: [] for c in commands}
    failed = {}
    for r in range(rounds + 1):
        for c in commands:
            if c["label"] in failed:
                continue
            ms, code = run_once(c["argv"], devnull)
            time.sleep(gap)
            if code != 0:
                failed[c["label"]] = f"exit code {code}"
            elif r > 0:  # round 0 warms caches up
                times[c["label"]].append(ms)
    for c in commands:
        label = c["label"]
        if label in failed:
            print(f"{label}\tfailed: {failed[label]}")
        else:
            print(f"{label}\t{statistics.median(times[label]):.2f}")


if __name__ == "__main__":
    main()
