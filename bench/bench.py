#!/usr/bin/env python3
"""uvauth against pip on the same local, authenticated index (nginx + basic
auth on loopback, credentials from netrc only). Alternating runs, medians,
ratios; writes bench/RESULTS.md.

  bench.py --uvauth build/ci/bin/uvauth [--runs 3] [--corpus DIR]

Cases: resolve only (`uvauth lock` vs `pip install --dry-run --report`);
install cold (empty caches), warm (caches full, empty target) and no-op
(target already right) (`uvauth install --target` / `uvauth sync` vs
`pip install --target --no-compile`); bounds: `curl -Z` of the same wheels
plus parallel `unzip`, and `cp -al` of the installed tree; peak memory.
Needs: nginx, htpasswd, curl, unzip, pip.
"""
import argparse
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "scripts"))
import private_index  # noqa: E402  (scripts/private_index.py: nginx + basic auth)
import hard_graphs  # noqa: E402  (bench/hard_graphs.py: the generated graphs)
REQUIREMENTS = ["boto3", "moto[s3,dynamodb]", "flask", "jinja2", "requests", "pydantic", "pydantic-settings", "ipython",
                "jsonschema", "networkx", "sympy", "cryptography", "docker", "cfn-lint", "trio"]
USER, PASSWORD = "bench", "bench-Pa55-w0rd"
# The corpus holds this machine's distributions only: no pywin32 or appnope, which
# the graph needs on Windows and macOS, so the universal lock covers every Linux
# (any Python >= this minor, any machine, any implementation).
UNIVERSAL = ["--universal", "--environment", "sys_platform == 'linux'"]
HARD_CASES = ["boto", "pins", "wide-100", "wide-300", "wide-1000", "unsat-100"]
PIP_TIMEOUT = 180  # seconds: pip may backtrack for long on the hard graphs


def start_nginx(work: Path, corpus: Path):
    return private_index.start(work, corpus, USER, PASSWORD)


def stop_nginx(work: Path):
    private_index.stop(work)


def timed(cmd, env, cwd, shell=False):
    # Each run writes hundreds of MB; flush the last run's writes first so
    # runs do not pay for each other.
    os.sync()
    start = time.perf_counter()
    result = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, shell=shell)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {cmd if shell else ' '.join(cmd)}\n{result.stderr[-3000:]}")
    return elapsed


def peak_rss_mb(cmd, env, cwd):
    """Peak resident memory of one run of `cmd`, in MB (via wait4's rusage)."""
    process = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        sys.exit(f"failed: {' '.join(cmd)}")
    return usage.ru_maxrss / 1024


def fresh_dir(path):
    """`path`, not there. What was there is moved aside, not deleted: ext4
    without a journal (this kind of VM's disk) scans the inodes deleted in the
    last seconds on every file it creates, so deleting a 20,000-file tree
    before a run made that run (and uvauth's cache writes, not pip's
    --no-cache-dir) several times slower. The work directory goes at the end."""
    if path.exists():
        trash = path.parent / "trash"
        trash.mkdir(exist_ok=True)
        path.rename(trash / f"{path.name}-{time.monotonic_ns()}")
    return path


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--uvauth", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--corpus", default=str(HERE / "work" / "corpus"))
    args = parser.parse_args()
    uvauth = str(Path(args.uvauth).resolve())
    corpus = Path(args.corpus)
    if not (corpus / "simple").exists():
        subprocess.run([sys.executable, str(HERE / "build_corpus.py"), str(corpus)], check=True)
    # The hard generated graphs, served by the same nginx under /hard/<case>/.
    for name in HARD_CASES:
        if not (corpus / "hard" / name / "simple").exists():
            graph, _, _ = hard_graphs.case(name)
            hard_graphs.write_index(corpus / "hard" / name, graph)
    work = Path(tempfile.mkdtemp(prefix="uvauth-bench-"))
    home = work / "home"
    home.mkdir()
    (home / ".netrc").write_text(f"machine 127.0.0.1 login {USER} password {PASSWORD}\n")
    os.chmod(home / ".netrc", 0o600)
    port = start_nginx(work, corpus)
    index = f"http://127.0.0.1:{port}/simple/"
    env = dict(os.environ, HOME=str(home), NETRC=str(home / ".netrc"), PIP_DISABLE_PIP_VERSION_CHECK="1",
               PIP_NO_INPUT="1", UV_INDEX_URL="")
    python = shutil.which("python3")
    results = {}
    try:
        def uvauth_lock(cache, universal=False):
            lock = work / ("pylock-universal.toml" if universal else "pylock.toml")
            if lock.exists():
                lock.unlink()
            return timed([uvauth, "lock", *REQUIREMENTS, "--index-url", index, "--python", python, "-o", str(lock),
                          "--no-config", "--cache-dir", str(cache), "-q", *(UNIVERSAL if universal else [])], env, work)

        def pip_dry_run(cache):
            cache_args = ["--no-cache-dir"] if cache is None else ["--cache-dir", str(cache)]
            return timed([python, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--report",
                          str(work / "report.json"), "--index-url", index, "--quiet", *cache_args, *REQUIREMENTS], env, work)

        samples = {k: [] for k in ("uvauth cold", "pip cold", "uvauth warm", "pip warm", "universal cold", "universal warm")}
        warm_uv, warm_pip = work / "uv-warm-cache", work / "pip-warm-cache"
        uvauth_lock(warm_uv)  # fill the warm caches once
        pip_dry_run(warm_pip)
        for run in range(args.runs):
            cold = work / f"uv-cold-{run}"
            samples["uvauth cold"].append(uvauth_lock(cold))
            samples["pip cold"].append(pip_dry_run(None))
            samples["uvauth warm"].append(uvauth_lock(warm_uv))
            samples["pip warm"].append(pip_dry_run(warm_pip))
            samples["universal cold"].append(uvauth_lock(work / f"uv-ucold-{run}", universal=True))
            samples["universal warm"].append(uvauth_lock(warm_uv, universal=True))
        # ---- the resolver on hard graphs (cold: empty caches) ----
        hard = {}
        for name in HARD_CASES:
            graph, roots, extras = hard_graphs.case(name)
            requirements = hard_graphs.root_requirements(roots, extras)
            url = f"http://127.0.0.1:{port}/hard/{name}/simple/"
            lock = work / f"hard-{name}-0.toml"

            def uvauth_hard(run):
                # A lock of its own each run: an existing one would be read as preferences.
                command = [uvauth, "lock", *requirements, "--index-url", url, "--python", python, "-o",
                           str(work / f"hard-{name}-{run}.toml"), "--no-config",
                           "--cache-dir", str(fresh_dir(work / f"hard-cache-{name}-{run}")), "-q"]
                os.sync()
                start = time.perf_counter()
                result = subprocess.run(command, env=env, cwd=work, capture_output=True, text=True)
                return time.perf_counter() - start, result, command

            def pip_hard():
                pip_command = [python, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--no-cache-dir", "--quiet",
                               "--report", str(work / f"hard-{name}.json"), "--index-url", url, *requirements]
                os.sync()
                start = time.perf_counter()
                try:
                    subprocess.run(pip_command, env=env, cwd=work, capture_output=True, text=True, timeout=PIP_TIMEOUT)
                    return time.perf_counter() - start, None
                except subprocess.TimeoutExpired:
                    return float(PIP_TIMEOUT), f"> {PIP_TIMEOUT} s (stopped)"

            # uvauth: the median of `runs` cold runs (each well under a second,
            # so one run is mostly noise); pip: one run, or the median of
            # `runs` when a run takes under 10 s.
            uv_samples, pip_samples = [], []
            uv_first, result, command = uvauth_hard(0)
            uv_samples.append(uv_first)
            memory_mb = 0.0
            if name == "wide-1000":
                memory_mb = peak_rss_mb(command[:-3] + ["--cache-dir", str(fresh_dir(work / "hard-mem")), "-q"], env, work)
            unsat = name.startswith("unsat")
            if (result.returncode != 0) != unsat:
                sys.exit(f"uvauth lock on {name}: exit {result.returncode}\n{result.stderr[-2000:]}")
            if not unsat:
                locked = {p["name"]: tuple(int(x) for x in p["version"].split("."))
                          for p in tomllib.loads(lock.read_text())["packages"]}
                problems = hard_graphs.check(graph, roots, extras, locked)
                if problems:
                    sys.exit(f"uvauth's lock of {name} is wrong: {problems[:5]}")
            pip_seconds, pip_stopped = pip_hard()
            pip_samples.append(pip_seconds)
            for run in range(1, args.runs):
                uv_samples.append(uvauth_hard(run)[0])
                if pip_stopped is None and pip_samples[0] < 10:
                    pip_samples.append(pip_hard()[0])
            uv_seconds = statistics.median(uv_samples)
            pip_seconds = statistics.median(pip_samples)
            pip_text = pip_stopped or f"{pip_seconds:.2f} s" + (f" ({len(pip_samples)} runs)" if len(pip_samples) > 1 else " (1 run)")
            hard[name] = (len(graph), sum(len(r) for r in graph.values()), uv_seconds, pip_seconds, pip_text, memory_mb)
        # ---- install ----
        fresh = fresh_dir

        def uvauth_install(cache, target):
            return timed([uvauth, "install", *REQUIREMENTS, "--index-url", index, "--python", python, "--target", str(target),
                          "--no-config", "--cache-dir", str(cache), "-q"], env, work)

        def pip_install(cache, target):
            cache_args = ["--no-cache-dir"] if cache is None else ["--cache-dir", str(cache)]
            return timed([python, "-m", "pip", "install", "--target", str(target), "--no-compile", "--index-url", index,
                          "--quiet", *cache_args, *REQUIREMENTS], env, work)

        lock_file = work / "install-lock.toml"
        timed([uvauth, "lock", *REQUIREMENTS, "--index-url", index, "--python", python, "-o", str(lock_file), "--no-config",
               "--cache-dir", str(warm_uv), "-q"], env, work)

        def uvauth_sync(target):
            return timed([uvauth, "sync", "--lock", str(lock_file), "--target", str(target), "--no-config", "--cache-dir",
                          str(warm_uv), "-q"], env, work)

        for key in ("install uvauth cold", "install pip cold", "install uvauth warm", "install pip warm",
                    "noop uvauth sync", "noop uvauth install", "noop pip", "bound curl+unzip", "bound cp -al"):
            samples[key] = []
        uvauth_install(warm_uv, fresh(work / "t-warm-fill"))
        pip_install(warm_pip, fresh(work / "p-warm-fill"))
        for run in range(args.runs):
            samples["install uvauth cold"].append(uvauth_install(fresh(work / f"uv-icold-{run}"), fresh(work / "t-cold")))
            samples["install pip cold"].append(pip_install(None, fresh(work / "p-cold")))
            samples["install uvauth warm"].append(uvauth_install(warm_uv, fresh(work / "t-warm")))
            samples["install pip warm"].append(pip_install(warm_pip, fresh(work / "p-warm")))
            # No-op: the targets are right already.
            samples["noop uvauth sync"].append(uvauth_sync(work / "t-synced") if (work / "t-synced").exists() else
                                               (uvauth_sync(work / "t-synced"), uvauth_sync(work / "t-synced"))[1])
            samples["noop uvauth install"].append(uvauth_install(warm_uv, work / "t-warm"))
            samples["noop pip"].append(pip_install(warm_pip, work / "p-warm"))
            # Bounds: fetching the same wheels with curl -Z and unzipping them on both cores; linking the tree.
            wheels_dir = fresh(work / "curl-wheels")
            wheels_dir.mkdir()
            unzip_dir = fresh(work / "curl-tree")
            unzip_dir.mkdir()  # parallel unzips would race to create it
            lock = tomllib.loads(lock_file.read_text())
            urls = [w["url"] for p in lock["packages"] for w in p["wheels"]]
            (work / "urls.txt").write_text("".join(f'url = "{u}"\noutput = "{wheels_dir}/{u.rsplit("/", 1)[1]}"\n' for u in urls))
            samples["bound curl+unzip"].append(timed(
                f"curl -s -Z --parallel-max 50 --netrc-file {home}/.netrc -K {work}/urls.txt && "
                f"ls {wheels_dir}/*.whl | xargs -P {os.cpu_count()} -n 1 unzip -q -o -d {unzip_dir}", env, work, shell=True))
            samples["bound cp -al"].append(timed(["cp", "-al", str(work / "t-warm"), str(fresh(work / "t-copy"))], env, work))
        memory = peak_rss_mb([uvauth, "install", *REQUIREMENTS, "--index-url", index, "--python", python, "--target",
                              str(fresh(work / "t-mem")), "--no-config", "--cache-dir", str(fresh(work / "uv-mem")), "-q"], env, work)
        installed_files = sum(len(files) for _, _, files in os.walk(work / "t-warm"))
        results = {k: statistics.median(v) for k, v in samples.items()}
        # The two tools must agree on what they resolved.
        report = json.loads((work / "report.json").read_text())
        pip_set = sorted(f"{i['metadata']['name'].lower().replace('_', '-')}=={i['metadata']['version']}" for i in report["install"])
        lock_text = (work / "pylock.toml").read_text()
        lock = tomllib.loads(lock_text)
        lock_set = sorted(f"{p['name']}=={p['version']}" for p in lock["packages"])
        packages = len(lock_set)
        if lock_set != pip_set:
            sys.exit("uvauth and pip resolved differently:\n" + "\n".join(sorted(set(lock_set) ^ set(pip_set))))
        # The universal lock, installed on this interpreter, must give exactly the single-target set.
        universal_lock = work / "pylock-universal.toml"
        universal_entries = len(tomllib.loads(universal_lock.read_text())["packages"])
        for name, lock_path in (("single", work / "pylock.toml"), ("universal", universal_lock)):
            timed([uvauth, "sync", "--lock", str(lock_path), "--target", str(fresh(work / f"t-{name}")), "--no-config",
                   "--cache-dir", str(warm_uv), "-q"], env, work)
        def dist_infos(target):
            return sorted(p.name for p in target.glob("*.dist-info"))
        if dist_infos(work / "t-single") != dist_infos(work / "t-universal"):
            sys.exit("the universal lock installs another set than the single-target lock:\n" + "\n".join(
                sorted(set(dist_infos(work / "t-single")) ^ set(dist_infos(work / "t-universal")))))
    finally:
        stop_nginx(work)
    ratio_cold = results["pip cold"] / results["uvauth cold"]
    ratio_warm = results["pip warm"] / results["uvauth warm"]
    cpu = platform.processor() or platform.machine()
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.system()} {platform.release()} ({cpu}); Python {platform.python_version()}; "
        f"pip {subprocess.run([python, '-m', 'pip', '--version'], capture_output=True, text=True).stdout.split()[1]}.",
        f"Index: nginx on loopback with basic auth (credentials from netrc), built by `bench/build_corpus.py` from the "
        f"installed distributions: {len(list((corpus / 'simple').iterdir()))} projects, "
        f"{sum(f.stat().st_size for f in (corpus / 'files').glob('*.whl')) / 1e6:.1f} MB of wheels, PEP 658 metadata files.",
        f"Requirements: {' '.join(REQUIREMENTS)} -> {packages} packages, the same set as pip's report.",
        f"Runs: {args.runs} per case, alternating; medians.",
        "",
        "## Resolve only",
        "",
        "| case | uvauth | pip | pip / uvauth |",
        "|---|---|---|---|",
        f"| cold (empty caches) | {results['uvauth cold']:.2f} s | {results['pip cold']:.2f} s | {ratio_cold:.1f}x |",
        f"| warm (caches full) | {results['uvauth warm']:.2f} s | {results['pip warm']:.2f} s | {ratio_warm:.1f}x |",
        "",
        "Commands: `uvauth lock REQS --index-url URL --python python3 -o pylock.toml --cache-dir DIR` (cold: a new "
        "empty cache dir; the interpreter query is included) and `python3 -m pip install --dry-run --ignore-installed "
        "--report report.json --index-url URL [--no-cache-dir | --cache-dir DIR] REQS`.",
        "",
        f"Budgets (issue 5): cold >= 8x, warm >= 30x. Measured: cold {ratio_cold:.1f}x, warm {ratio_warm:.1f}x.",
        "",
        "## Universal lock",
        "",
        f"`uvauth lock --universal --environment \"sys_platform == 'linux'\"` of the same requirements (requires-python "
        f">= this minor, any Linux: the corpus has no Windows or macOS-only packages): "
        f"{universal_entries} entries; synced on this interpreter it installs exactly the single-target lock's "
        f"{packages} packages (checked by this run).",
        "",
        "| case | single-target | universal | universal / single-target |",
        "|---|---|---|---|",
        f"| cold (empty caches) | {results['uvauth cold']:.2f} s | {results['universal cold']:.2f} s | "
        f"{results['universal cold'] / results['uvauth cold']:.2f}x |",
        f"| warm (caches full) | {results['uvauth warm']:.2f} s | {results['universal warm']:.2f} s | "
        f"{results['universal warm'] / results['uvauth warm']:.2f}x |",
        "",
        "Budget (issue 12): universal <= 2x single-target. Measured: cold "
        f"{results['universal cold'] / results['uvauth cold']:.2f}x, warm {results['universal warm'] / results['uvauth warm']:.2f}x.",
        "",
        "## The resolver on hard graphs",
        "",
        "Generated by `bench/hard_graphs.py` (deterministic), served by the same nginx: `boto` (300 boto3/botocore "
        "versions with exact pins, an old urllib3 forced by another root: the solver walks back 150 versions), `pins` "
        "(pydantic/pydantic-core style exact pairs with an extra, an older pair forced), `wide-N` (N packages with 20-50 "
        "versions and range dependencies whose newest versions conflict), `unsat-100` (unsatisfiable: the time to the "
        "explanation). Cold caches; uvauth: median of the runs; pip: median of the runs when one takes under 10 s, else one run; every lock is checked for validity by this run.",
        "",
        "| case | projects | versions | uvauth | pip | pip / uvauth |",
        "|---|---|---|---|---|---|",
        *[f"| {name} | {projects} | {versions} | {uv:.2f} s | {pip_text} | {pip / uv:.1f}x |"
          for name, (projects, versions, uv, pip, pip_text, _) in hard.items()],
        "",
        f"Growth of uvauth's time from wide-100 to wide-1000: {hard['wide-1000'][2] / hard['wide-100'][2]:.1f}x for 10x the "
        f"packages (N^{math.log(hard['wide-1000'][2] / hard['wide-100'][2], 10):.2f}); peak memory at wide-1000: "
        f"{hard['wide-1000'][5]:.0f} MB.",
        "",
        "Commands: `uvauth lock ROOTS --index-url URL --python python3 -o L --cache-dir NEW` and `python3 -m pip install "
        f"--dry-run --ignore-installed --no-cache-dir --report R --index-url URL ROOTS` (stopped after {PIP_TIMEOUT} s).",
        "",
        "Targets (issue 16): every case >= 20x pip, growth <= N^1.2, memory <= 200 MB at N = 1000, the unsatisfiable "
        "case explained within 1 s.",
        "",
        "## Install",
        "",
        f"Into an empty `--target` directory ({installed_files} files installed), then again into one that is already right.",
        "",
        "| case | uvauth | pip | pip / uvauth | bound | uvauth / bound |",
        "|---|---|---|---|---|---|",
        f"| cold (empty caches) | {results['install uvauth cold']:.2f} s | {results['install pip cold']:.2f} s | "
        f"{results['install pip cold'] / results['install uvauth cold']:.1f}x | curl -Z + unzip: {results['bound curl+unzip']:.2f} s | "
        f"{results['install uvauth cold'] / results['bound curl+unzip']:.2f}x |",
        f"| warm (caches full, empty target) | {results['install uvauth warm']:.2f} s | {results['install pip warm']:.2f} s | "
        f"{results['install pip warm'] / results['install uvauth warm']:.1f}x | cp -al: {results['bound cp -al']:.2f} s | "
        f"{results['install uvauth warm'] / results['bound cp -al']:.2f}x |",
        f"| no-op, `uvauth sync` (stamp) | {results['noop uvauth sync'] * 1000:.0f} ms | {results['noop pip']:.2f} s | "
        f"{results['noop pip'] / results['noop uvauth sync']:.0f}x | | |",
        f"| no-op, `uvauth install` (resolves again) | {results['noop uvauth install']:.2f} s | {results['noop pip']:.2f} s | "
        f"{results['noop pip'] / results['noop uvauth install']:.1f}x | | |",
        "",
        f"Peak memory of a cold `uvauth install`: {memory:.0f} MB.",
        "",
        "Commands: `uvauth install REQS --index-url URL --python python3 --target DIR --cache-dir C` (cold: new C), "
        "`uvauth sync --lock pylock.toml --target DIR` for the stamp no-op, "
        "`python3 -m pip install --target DIR --no-compile --index-url URL [--no-cache-dir | --cache-dir C] REQS`; "
        "bounds: `curl -Z --parallel-max 50 --netrc-file NETRC -K urls` then `xargs -P 2 unzip`, and `cp -al DIR COPY`.",
        "",
        "Budgets (issue 6): cold >= 3x pip and <= 1.2x curl+unzip; warm >= 10x pip and <= 1.5x cp -al; no-op <= 20 ms; "
        "peak memory <= 150 MB.",
    ]
    # Sections other benchmarks write (sdist_bench.py: "## Source builds") are kept.
    kept = ""
    if (HERE / "RESULTS.md").exists():
        previous = (HERE / "RESULTS.md").read_text()
        if "\n## Source builds" in previous:
            kept = "\n" + previous[previous.index("\n## Source builds") + 1:]
    (HERE / "RESULTS.md").write_text("\n".join(lines) + "\n" + kept)
    print("\n".join(lines))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
