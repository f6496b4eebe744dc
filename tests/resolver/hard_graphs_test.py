#!/usr/bin/env python3
"""The resolver on the hard generated graphs of bench/hard_graphs.py (issue 16),
checked for validity, not timed: every requirement of the root and of every
locked package is met by the locked versions, nothing needed is missing, and
the unsatisfiable case exits 1 with an explanation.

  hard_graphs_test.py UVAUTH FIXTURE_JSON CASE
"""
import json
import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import hard_graphs  # noqa: E402


def version_tuple(text):
    return tuple(int(p) for p in text.split("."))


def main():
    uvauth, fixture, name = sys.argv[1], json.loads(Path(sys.argv[2]).read_text()), sys.argv[3]
    graph, roots, extras = hard_graphs.case(name)
    served = Path(fixture["data_dir"]) / "hard" / name
    hard_graphs.write_index(served, graph)
    index = "http://127.0.0.1:%d/public/hard/%s/simple/" % (fixture["ports"]["http"], name)
    with tempfile.TemporaryDirectory(prefix="hard-") as tmp:
        work = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "UVAUTH_"))}
        env.update(HOME=str(work / "home"), UV_CACHE_DIR=str(work / "cache"), NO_COLOR="1")
        lock = work / "pylock.toml"
        command = [uvauth, "--no-config", "lock", *hard_graphs.root_requirements(roots, extras), "--index-url", index,
                   "-o", str(lock)]
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        print(f"$ uvauth lock ... ({len(graph)} projects, {sum(len(r) for r in graph.values())} versions) -> {result.returncode}")
        print(result.stdout + result.stderr[-4000:])
        if name.startswith("unsat"):
            if result.returncode != 1 or "unsatisfiable" not in result.stderr:
                sys.exit(f"FAIL {name}: want exit 1 with an explanation")
            print(f"ok {name}: unsatisfiable, explained")
            return
        if result.returncode != 0:
            sys.exit(f"FAIL {name}: the lock failed")
        locked = {p["name"]: version_tuple(p["version"]) for p in tomllib.loads(lock.read_text())["packages"]}
        problems = hard_graphs.check(graph, roots, extras, locked)
        if problems:
            sys.exit(f"FAIL {name}:\n  " + "\n  ".join(problems[:20]))
        print(f"ok {name}: {len(locked)} packages, every requirement met")


if __name__ == "__main__":
    main()
