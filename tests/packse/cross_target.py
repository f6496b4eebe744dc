#!/usr/bin/env python3
"""One universal lock of a forking graph, installed per target with cross-target
`uvauth sync` (issue 12).

  cross_target.py UVAUTH FIXTURE_JSON

The graph (served by the nginx fixture, like the packse scenarios) forks three
ways: `plat` on sys_platform (linux >= 2, darwin < 2), `back` on Python (2.0 needs
3.12), `oldpy` only below 3.12; `native` has one wheel per CPython and platform.
Each target must get its own set and its own wheel; a target the lock has no
wheel for fails naming the package, version, target and the wheels; a target
outside the lock's environments fails naming them.
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_scenario import write_index  # noqa: E402


def release(requires=(), requires_python=None, tags=()):
    return {"requires": list(requires), "requires_python": requires_python, "wheel_tags": list(tags),
            "wheel": True, "sdist": False, "yanked": False, "extras": {}}


PACKAGES = {
    "plat": {"1.0.0": release(), "2.0.0": release()},
    "back": {"1.0.0": release(requires_python=">=3.11"), "2.0.0": release(requires_python=">=3.12")},
    "oldpy": {"1.0.0": release()},
    "native": {"1.0.0": release(tags=[
        "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
        "cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64",
        "cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64",
        "cp311-cp311-macosx_11_0_arm64",
        "cp312-cp312-macosx_11_0_arm64",
    ])},
}
PYPROJECT = """[project]
name = "team"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = [
  "plat>=2 ; sys_platform == 'linux'",
  "plat<2 ; sys_platform == 'darwin'",
  "back",
  "oldpy ; python_version < '3.12'",
  "native",
]

[tool.uv]
environments = ["sys_platform == 'linux'", "sys_platform == 'darwin'"]
"""
# target -> (name, version, wheel tag of native)
EXPECTED = {
    ("3.11", "x86_64-manylinux_2_28"): ({"plat": "2.0.0", "back": "1.0.0", "oldpy": "1.0.0", "native": "1.0.0"},
                                        "cp311-cp311-manylinux_2_17_x86_64"),
    ("3.12", "x86_64-manylinux_2_28"): ({"plat": "2.0.0", "back": "2.0.0", "native": "1.0.0"},
                                        "cp312-cp312-manylinux_2_17_x86_64"),
    ("3.11", "aarch64-manylinux_2_28"): ({"plat": "2.0.0", "back": "1.0.0", "oldpy": "1.0.0", "native": "1.0.0"},
                                         "cp311-cp311-manylinux_2_17_aarch64"),
    ("3.12", "aarch64-apple-darwin"): ({"plat": "1.0.0", "back": "2.0.0", "native": "1.0.0"},
                                       "cp312-cp312-macosx_11_0_arm64"),
    ("3.11", "aarch64-apple-darwin"): ({"plat": "1.0.0", "back": "1.0.0", "oldpy": "1.0.0", "native": "1.0.0"},
                                       "cp311-cp311-macosx_11_0_arm64"),
}


def installed(target: Path):
    out = {}
    for info in target.glob("*.dist-info"):
        name, version = info.name[:-len(".dist-info")].rsplit("-", 1)
        tags = [line[5:] for line in (info / "WHEEL").read_text().splitlines() if line.startswith("Tag: ")]
        out[name.replace("_", "-")] = (version, tags)
    return out


def main():
    uvauth, fixture = sys.argv[1], json.loads(Path(sys.argv[2]).read_text())
    served = Path(fixture["data_dir"]) / "packse" / "cross-target"
    write_index(served, PACKAGES)
    index = "http://127.0.0.1:%d/public/packse/cross-target/simple/" % fixture["ports"]["http"]
    failures = []
    with tempfile.TemporaryDirectory(prefix="cross-") as tmp:
        work = Path(tmp)
        (work / "team").mkdir()
        (work / "team" / "pyproject.toml").write_text(PYPROJECT)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "UVAUTH_"))}
        env.update(HOME=str(work / "home"), UV_CACHE_DIR=str(work / "cache"), NO_COLOR="1")
        lock = work / "team" / "pylock.toml"

        def run(*args):
            result = subprocess.run([uvauth, "--no-config", *args], env=env, capture_output=True, text=True, timeout=120)
            print("$ uvauth " + " ".join(args) + f"  -> {result.returncode}\n" + result.stdout + result.stderr)
            return result

        made = run("lock", "--project", str(work / "team"), "--index-url", index, "-o", str(lock))
        if made.returncode != 0:
            sys.exit("FAIL: the universal lock was not made")
        print(lock.read_text())
        for (python, platform), (want, tag) in EXPECTED.items():
            target = work / f"t-{python}-{platform}"
            r = run("sync", "--lock", str(lock), "--target", str(target), "--python-version", python,
                    "--python-platform", platform)
            if r.returncode != 0:
                failures.append(f"{python} {platform}: sync failed")
                continue
            got = installed(target)
            versions = {name: v for name, (v, _) in got.items()}
            if versions != want:
                failures.append(f"{python} {platform}: installed {versions}, want {want}")
            elif tag not in got["native"][1]:
                failures.append(f"{python} {platform}: native's wheel has tags {got['native'][1]}, want {tag}")
        # No wheel for this target: the package, version, target and the lock's wheels are named.
        r = run("sync", "--lock", str(lock), "--target", str(work / "t-none"), "--python-version", "3.12",
                "--python-platform", "aarch64-manylinux_2_28")
        if r.returncode == 0 or "native" not in r.stderr or "1.0.0" not in r.stderr or "cp312-cp312-macosx_11_0_arm64" not in r.stderr:
            failures.append("3.12 aarch64 linux: want an error naming native 1.0.0 and its wheels")
        if (work / "t-none").exists() and any((work / "t-none").iterdir()):
            failures.append("3.12 aarch64 linux: the failed sync left files in the target")
        # Outside the lock's environments (windows): the environments are named.
        r = run("sync", "--lock", str(lock), "--target", str(work / "t-win"), "--python-version", "3.12",
                "--python-platform", "windows")
        if r.returncode == 0 or "sys_platform" not in r.stderr:
            failures.append("windows: want an error naming the lock's environments")
        # The lock is current on any machine: --locked passes, also for another Python.
        for extra in ([], ["--python-version", "3.12"]):
            r = run("lock", "--project", str(work / "team"), "--index-url", index, "-o", str(lock), "--locked", *extra)
            if r.returncode != 0:
                failures.append("--locked " + " ".join(extra) + ": rejected the universal lock")
        # A venv cannot be a cross target.
        r = run("sync", "--lock", str(lock), "--venv", str(work / "venv"), "--python-version", "3.12")
        if r.returncode != 2 or "--target" not in r.stderr:
            failures.append("--venv with --python-version: want a usage error naming --target")
    if failures:
        sys.exit("FAIL:\n  " + "\n  ".join(failures))
    print("ok: one universal lock, %d targets" % len(EXPECTED))


if __name__ == "__main__":
    main()
