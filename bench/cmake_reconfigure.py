#!/usr/bin/env python3
"""What UvAuth adds to a CMake reconfigure when nothing changed.

Two projects, identical but for UvAuth: the second declares a private index
(nginx + basic auth on loopback, credentials from netrc) and a requirement
set (Jinja2 + MarkupSafe re-packed from this machine's Python). After one
configure each, both are reconfigured N times, alternating; the medians and
their difference go to bench/RESULTS-cmake.md.

  cmake_reconfigure.py --uvauth-dir BUILD_TREE [--runs N]
"""
import argparse
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "scripts"))
import private_index  # noqa: E402

PLAIN = """cmake_minimum_required(VERSION 3.20)
project(bench LANGUAGES NONE)
find_package(Python3 COMPONENTS Interpreter REQUIRED)
"""
WITH_UVAUTH = PLAIN + """find_package(UvAuth 0.1 REQUIRED)
uvauth_add_index(corp URL "${INDEX}" AUTHENTICATE always DEFAULT)
uvauth_add_requirements(devtools REQUIREMENTS "jinja2>=3")
"""


def run(cmd, env):
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--uvauth-dir", required=True, help="a UvAuth build tree (holds UvAuthConfig.cmake)")
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="uvauth-cmake-bench-"))
    password = secrets.token_hex(16)
    try:
        subprocess.run([sys.executable, str(HERE / "build_corpus.py"), str(work / "index"), "--only", "jinja2",
                        "markupsafe"], check=True, stdout=subprocess.DEVNULL)
        (work / "nginx").mkdir()
        port = private_index.start(work / "nginx", work / "index", "bench", password)
        home = work / "home"
        home.mkdir()
        (home / ".netrc").write_text(f"machine 127.0.0.1 login bench password {password}\n")
        env = dict(os.environ, HOME=str(home), UVAUTH_CACHE_DIR=str(work / "cache"))
        projects = {}
        for name, text in (("plain", PLAIN), ("uvauth", WITH_UVAUTH)):
            src = work / name
            src.mkdir()
            (src / "CMakeLists.txt").write_text(text)
            build = work / (name + "-build")
            defines = [f"-DUvAuth_DIR={args.uvauth_dir}", f"-DINDEX=http://127.0.0.1:{port}/simple"] if name == "uvauth" else []
            subprocess.run(["cmake", "-S", str(src), "-B", str(build), "-G", "Ninja", *defines], env=env, check=True,
                           stdout=subprocess.DEVNULL)
            projects[name] = ["cmake", "-S", str(src), "-B", str(build)]
        times = {name: [] for name in projects}
        for _ in range(args.runs):
            for name, cmd in projects.items():
                times[name].append(run(cmd, env))
        plain = statistics.median(times["plain"]) * 1000
        with_uvauth = statistics.median(times["uvauth"]) * 1000
        requests = sum(1 for _ in open(work / "nginx" / "access.log"))
        text = f"""# CMake: the cost of a no-op reconfigure

Measured by `python3 bench/cmake_reconfigure.py --uvauth-dir {args.uvauth_dir}` on {platform.node() or 'this machine'}
({os.cpu_count()} cores, {platform.platform()}), {args.runs} alternating runs each, medians.

| project | reconfigure |
|---|---|
| `find_package(Python3)` only | {plain:.1f} ms |
| the same + `find_package(UvAuth)`, a private index (`AUTHENTICATE always`), one requirement set | {with_uvauth:.1f} ms |
| **UvAuth's cost** (budget: 50 ms) | **{with_uvauth - plain:.1f} ms** |

Requests the index saw over all of it (the first configure included): {requests}.
A no-op reconfigure starts no process: it compares a fingerprint of the inputs
with the last run's.
"""
        (HERE / "RESULTS-cmake.md").write_text(text)
        print(text)
    finally:
        private_index.stop(work / "nginx")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
