#!/usr/bin/env python3
"""packse's source-distribution scenarios against uvauth, as uv's tests run them.

  run_sdist_scenario.py UVAUTH FIXTURE_JSON SCENARIO

The scenario (tests/packse/sdist_scenarios.json: packse's wheels/ and
requires_python/ scenarios, with uv's expected outcome from
pip_install_scenarios.rs and pip_compile_scenarios.rs) is served by the nginx
fixture like the universal ones (run_scenario.py), its sdists buildable with
flit_core (served from the same index). `install` scenarios install into a
--target and check what was installed (and, where the scenario says the sdist
must be used, that it was built); `lock` scenarios lock for uv's
--python-version and compare the versions.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import run_scenario  # noqa: E402


def main():
    uvauth, fixture, name = sys.argv[1], json.loads(Path(sys.argv[2]).read_text()), sys.argv[3]
    scenario = next(s for s in json.loads((HERE / "sdist_scenarios.json").read_text())["scenarios"] if s["name"] == name)
    served = Path(fixture["data_dir"]) / "packse-sdist" / name
    shutil.rmtree(served, ignore_errors=True)
    run_scenario.write_index(served, scenario["packages"], buildable=True)
    # The backend the sdists name, on the same index.
    flit = next((Path(fixture["data_dir"]) / "build" / "files").glob("flit_core-*.whl"))
    sys.path.insert(0, str(HERE.parent / "fixtures"))
    import build_data  # noqa: E402
    build_data.add_to_index(served, "flit-core", flit.name, flit.read_bytes())
    index = "http://127.0.0.1:%d/public/packse-sdist/%s/simple/" % (fixture["ports"]["http"], name)
    expected = scenario["uv"]
    with tempfile.TemporaryDirectory(prefix="packse-sdist-") as tmp:
        work = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "UVAUTH_"))}
        env.update(HOME=str(work / "home"), UVAUTH_CACHE_DIR=str(work / "cache"), NO_COLOR="1")
        if expected["command"] == "install":
            command = [uvauth, "--no-config", "-v", "install", "--index-url", index, "--target", str(work / "t"),
                       *expected["args"], *scenario["root"]]
        else:
            command = [uvauth, "--no-config", "-v", "lock", "--index-url", index, "-o", str(work / "pylock.toml"),
                       *expected["args"], *scenario["root"]]
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        print("$ " + " ".join(command[1:]))
        print(result.stdout + result.stderr)
        if result.returncode != expected["exit_code"]:
            sys.exit(f"FAIL {name}: uvauth exited {result.returncode}, uv exits {expected['exit_code']}")
        if expected["exit_code"] != 0:
            if "building is off" not in result.stderr and "--no-build" not in result.stderr:
                sys.exit(f"FAIL {name}: the error does not say that building is off")
            print(f"ok {name}: refused, as uv does")
            return
        if expected["command"] == "install":
            got = sorted("==".join(d.name.removesuffix(".dist-info").split("-", 1)).replace("_", "-")
                         for d in (work / "t").glob("*.dist-info"))
            if got != expected["installed"]:
                sys.exit(f"FAIL {name}: installed {got}, uv installs {expected['installed']}")
            built = "hook of flit_core.buildapi" in result.stderr or "running the build_wheel hook" in result.stderr
            if expected.get("built") and not built:
                sys.exit(f"FAIL {name}: the sdist was not built")
            module = work / "t" / "a.py"
            if expected.get("built") and (not module.exists() or "built from the sdist" not in module.read_text()):
                sys.exit(f"FAIL {name}: what was installed is not the sdist's build")
        else:
            got = sorted(f"{p['name']}=={p['version']}" for p in tomllib.loads((work / "pylock.toml").read_text())["packages"])
            if got != expected["locked"]:
                sys.exit(f"FAIL {name}: locked {got}, uv locks {expected['locked']}")
        print(f"ok {name}: {got}")


if __name__ == "__main__":
    main()
