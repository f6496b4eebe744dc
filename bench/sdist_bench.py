#!/usr/bin/env python3
"""Source builds, measured: a set of N sdist-only packages against the same N
as wheels, from the same local authenticated index (nginx + basic auth,
netrc). Reports the warm install of each (caches full, empty target): the
sdist set's built wheels come from the cache, so it should cost no more than
the wheel set plus 10%. Also the cold install of the sdist set (every build).

  sdist_bench.py --uvauth build/release/bin/uvauth [--packages 30] [--runs 5]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "scripts"))
sys.path.insert(0, str(HERE.parent / "tests" / "fixtures"))
import private_index  # noqa: E402
import build_data  # noqa: E402

USER, PASSWORD = "bench", "bench-Pa55-w0rd"


def timed(cmd, env):
    start = time.perf_counter()
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{result.stderr[-3000:]}")
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--uvauth", required=True)
    parser.add_argument("--packages", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    uvauth = str(Path(args.uvauth).resolve())
    work = Path(tempfile.mkdtemp(prefix="uvauth-sdist-bench-"))
    root = work / "index"
    names = [f"sbench{i:03d}" for i in range(args.packages)]
    # Backends first (setuptools + wheel from this machine), then the two sets.
    build_data.make_build_index(root)  # root/build/...: the backends and test sdists
    backends = root / "build"
    for i, name in enumerate(names):
        body = {"pyproject.toml": build_data.SETUPTOOLS_PROJECT,
                "setup.cfg": f"[metadata]\nname = {name}\nversion = 1.0\n[options]\npy_modules = {name}\n",
                f"{name}.py": f"VALUE = {i}\n" + "# padding\n" * 200}
        build_data.add_to_index(backends, name, *build_data.sdist(name, "1.0", body))
        build_data.add_to_index(root / "wheels", f"w{name}", *build_data.wheel_from(
            f"w{name}", "1.0", [], extra_files={f"w{name}.py": body[f"{name}.py"]}))
    for backend in ("setuptools", "wheel"):
        for f in (backends / "files").glob(f"{backend}-*.whl"):
            build_data.add_to_index(root / "wheels", backend, f.name, f.read_bytes())
    home = work / "home"
    home.mkdir()
    (home / ".netrc").write_text(f"machine 127.0.0.1 login {USER} password {PASSWORD}\n")
    os.chmod(home / ".netrc", 0o600)
    port = private_index.start(work / "nginx", root, USER, PASSWORD)
    env = dict(os.environ, HOME=str(home), UVAUTH_CACHE_DIR=str(work / "cache"))
    sdist_index = f"http://127.0.0.1:{port}/build/simple/"
    wheel_index = f"http://127.0.0.1:{port}/wheels/simple/"
    try:
        def install(index, requirements, target):
            shutil.rmtree(target, ignore_errors=True)
            return timed([uvauth, "--no-config", "-q", "install", "--index-url", index, "--target", str(target), *requirements], env)

        cold = install(sdist_index, names, work / "t-sdist")           # builds every sdist
        install(wheel_index, [f"w{n}" for n in names], work / "t-wheel")  # fills the wheel cache
        sdist_warm, wheel_warm = [], []
        for _ in range(args.runs):  # alternating
            wheel_warm.append(install(wheel_index, [f"w{n}" for n in names], work / "t-wheel"))
            sdist_warm.append(install(sdist_index, names, work / "t-sdist"))
        w, s = statistics.median(wheel_warm), statistics.median(sdist_warm)
        print(f"## Source builds ({args.packages} sdist-only packages, setuptools; median of {args.runs})\n")
        print("| case | seconds |\n|---|---|")
        print(f"| sdist set, cold (every package built) | {cold:.2f} |")
        print(f"| wheel set, warm install (cache full, empty target) | {w:.3f} |")
        print(f"| sdist set, warm install (built wheels cached, empty target) | {s:.3f} |")
        print(f"\nsdist warm / wheel warm = **{s / w:.2f}** (target: at most 1.10)")
    finally:
        private_index.stop(work / "nginx")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
