#!/usr/bin/env python3
"""Run one of packse's universal scenarios against uvauth and compare with uv.

  run_scenario.py UVAUTH FIXTURE_JSON SCENARIO

The scenario (tests/packse/scenarios.json) is served by the nginx fixture: its
wheels (one per wheel tag set, real and installable), sdists and a PEP 503 page
per package are written below the fixture's data directory, under a directory
of the scenario's own. The scenario's pyproject is locked with
`uvauth lock --universal --project`; the test passes when uvauth's exit code is
uv's and, for a satisfiable scenario, the name==version set of the lock equals
the set of uv's lock (where uv's test keeps no lock, the number of packages
uv resolved); `--locked` must then accept the lock as written (uv's
test asserts the same idempotence).
"""
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures"))
from nginx_fixture import make_wheel  # noqa: E402

HERE = Path(__file__).resolve().parent

# Where uvauth knowingly differs from uv's snapshot: what uvauth locks, and why.
KNOWN_DIFFERENCES = {
    "wrong-backtracking-indirect": (
        ["a==1.0.0", "b-inner==2.0.9", "b==1.0.0"],
        "the scenario asks that b-inner, rejected five times because of a, be decided before a; uvauth does "
        "(its version sets know that b has one version, so b-inner is required before a is decided again), "
        "uv's snapshot records uv still walking down to b-inner 1.0.0"),
}


def expand_tags(tag):
    """cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64 -> every single tag."""
    python, abi, platform = tag.split("-")
    return [f"{p}-{a}-{pl}" for p in python.split(".") for a in abi.split(".") for pl in platform.split(".")]


def make_sdist(name, version, requires=(), requires_python=None, buildable=False):
    """An sdist with static metadata (PKG-INFO 2.2, nothing dynamic, as packse's); `buildable`: a flit_core project."""
    base = f"{name.replace('-', '_')}-{version}"
    module = name.replace("-", "_")
    pkg_info = f"Metadata-Version: 2.2\nName: {name}\nVersion: {version}\n"
    if requires_python:
        pkg_info += f"Requires-Python: {requires_python}\n"
    pkg_info += "".join(f"Requires-Dist: {r}\n" for r in requires)
    pyproject = f"[project]\nname = '{name}'\nversion = '{version}'\ndescription = 'packse'\n"
    if requires:
        pyproject += "dependencies = [" + ", ".join(json.dumps(r) for r in requires) + "]\n"
    members = [(f"{base}/PKG-INFO", pkg_info)]
    if buildable:
        pyproject = '[build-system]\nrequires = ["flit_core>=3.4"]\nbuild-backend = "flit_core.buildapi"\n\n' + pyproject
        members.append((f"{base}/{module}.py", f'"""{name} {version}, built from the sdist."""\nVERSION = "{version}"\n'))
    members.append((f"{base}/pyproject.toml", pyproject))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
        for path, text in members:
            raw = text.encode()
            info = tarfile.TarInfo(path)
            info.size, info.mtime = len(raw), 1704067200
            tar.addfile(info, io.BytesIO(raw))
    return base + ".tar.gz", buffer.getvalue()


def write_index(root: Path, packages: dict, buildable=False):
    files = root / "files"
    files.mkdir(parents=True, exist_ok=True)
    for project, versions in packages.items():
        links = []
        for version, spec in versions.items():
            artefacts = []
            if spec["wheel"]:
                for tag in (spec["wheel_tags"] or ["py3-none-any"]):
                    wheel, metadata = make_wheel(project, version, spec["requires"], spec["requires_python"],
                                                 tags=expand_tags(tag), extras=spec.get("extras"))
                    filename = f"{project.replace('-', '_')}-{version}-{tag}.whl"
                    (files / (filename + ".metadata")).write_text(metadata)
                    meta = ' data-core-metadata="sha256=%s"' % hashlib.sha256(metadata.encode()).hexdigest()
                    artefacts.append((filename, wheel, meta))
            if spec["sdist"]:
                filename, sdist = make_sdist(project, version, spec["requires"], spec["requires_python"], buildable)
                artefacts.append((filename, sdist, ""))
            for filename, raw, meta in artefacts:
                (files / filename).write_bytes(raw)
                attrs = meta
                if spec["requires_python"]:
                    attrs += ' data-requires-python="%s"' % spec["requires_python"].replace("&", "&amp;").replace(
                        "<", "&lt;").replace(">", "&gt;")
                if spec["yanked"]:
                    attrs += ' data-yanked=""'
                links.append(f'<a href="../../files/{filename}#sha256={hashlib.sha256(raw).hexdigest()}"{attrs}>'
                             f'{filename}</a><br/>')
        page = root / "simple" / project
        page.mkdir(parents=True, exist_ok=True)
        (page / "index.html").write_text("<!DOCTYPE html><html><body>\n" + "\n".join(links) + "\n</body></html>\n")


def main():
    uvauth, fixture, name = sys.argv[1], json.loads(Path(sys.argv[2]).read_text()), sys.argv[3]
    scenario = next(s for s in json.loads((HERE / "scenarios.json").read_text())["scenarios"] if s["name"] == name)
    served = Path(fixture["data_dir"]) / "packse" / name
    write_index(served, scenario["packages"])
    index = "http://127.0.0.1:%d/public/packse/%s/simple/" % (fixture["ports"]["http"], name)
    with tempfile.TemporaryDirectory(prefix="packse-") as tmp:
        work = Path(tmp)
        (work / "project").mkdir()
        (work / "project" / "pyproject.toml").write_text(scenario["pyproject"])
        env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "UVAUTH_"))}
        env.update(HOME=str(work / "home"), UV_CACHE_DIR=str(work / "cache"), NO_COLOR="1")
        lock = work / "project" / "pylock.toml"
        command = [uvauth, "--no-config", "lock", "--universal", "--project", str(work / "project"),
                   "--index-url", index, "-o", str(lock)]
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        print("$ " + " ".join(command[1:]))
        print(result.stdout + result.stderr)
        expected = scenario["uv"]
        if result.returncode != expected["exit_code"]:
            sys.exit(f"FAIL {name}: uvauth exited {result.returncode}, uv exits {expected['exit_code']}\n"
                     f"uv said: {expected['stderr']}")
        if expected["exit_code"] != 0:
            if "error" not in result.stderr.lower():
                sys.exit(f"FAIL {name}: no explanation on stderr")
            print(f"ok {name}: unsatisfiable, as uv says ({expected['stderr'].splitlines()[-1] if expected['stderr'] else ''})")
            return
        packages = tomllib.loads(lock.read_text()).get("packages", [])
        got = sorted(f"{p['name']}=={p['version']}" for p in packages)
        resolved = re.search(r"Resolved (\d+) packages?", expected["stderr"])
        if not expected["lock_snapshot"]:  # uv's test has no lock: compare the count (uv counts the project too)
            if resolved and len(got) != int(resolved.group(1)) - 1:
                sys.exit(f"FAIL {name}: uvauth locked {got}; uv locked {int(resolved.group(1)) - 1} packages")
        elif name in KNOWN_DIFFERENCES:
            ours, why = KNOWN_DIFFERENCES[name]
            if got != ours:
                sys.exit(f"FAIL {name}: uvauth locked {got}, not {ours} as recorded")
            print(f"known difference {name}: uv locks {expected['versions']}; {why}")
        elif got != expected["versions"]:
            sys.exit(f"FAIL {name}: uvauth locked {got}\n       uv locked     {expected['versions']}\n"
                     + lock.read_text())
        again = subprocess.run(command + ["--locked"], env=env, capture_output=True, text=True, timeout=120)
        if again.returncode != 0:
            sys.exit(f"FAIL {name}: --locked rejects the lock just written:\n{again.stderr}")
        print(f"ok {name}: {got}")


if __name__ == "__main__":
    main()
