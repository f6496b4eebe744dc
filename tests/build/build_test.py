#!/usr/bin/env python3
"""Source builds against the nginx fixture, through the uvauth CLI:

  build_test.py UVAUTH FIXTURE.json CASE

Each CASE is one CTest test. Build backends (setuptools + wheel, flit_core,
an in-tree backend) are real wheels on the fixture's build index
(tests/fixtures/build_data.py); nothing reaches a public index.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

TOOL, FIXTURE, CASE = os.path.abspath(sys.argv[1]), json.load(open(sys.argv[2])), sys.argv[3]
PORT = FIXTURE["ports"]["http"]
PUBLIC = f"http://127.0.0.1:{PORT}/public/build/simple"
PRIVATE = f"http://127.0.0.1:{PORT}/private/build/simple"
USER, PASSWORD = "alice", FIXTURE["users"]["alice"]
WORK = Path(tempfile.mkdtemp(prefix=f"uvauth-build-{CASE}-"))


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def env(**extra):
    e = {k: v for k, v in os.environ.items() if not k.startswith("UV_") and k != "NETRC"}
    e["HOME"] = str(WORK / "home")
    e["XDG_CONFIG_HOME"] = str(WORK / "home" / ".config")
    e["UVAUTH_CACHE_DIR"] = str(WORK / "cache")
    (WORK / "home").mkdir(exist_ok=True)
    e.update(extra)
    return e


def run(*args, expect=0, extra_env=None, cwd=None):
    p = subprocess.run([TOOL, *args], capture_output=True, text=True, env=env(**(extra_env or {})), cwd=cwd or WORK, timeout=600)
    out = p.stdout + p.stderr
    if expect is not None and p.returncode != expect:
        fail(f"uvauth {' '.join(args)} exited {p.returncode}, expected {expect}:\n{out}")
    if PASSWORD in out:
        fail("the password appears in the output of uvauth " + " ".join(args))
    return out


def python(target, code):
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(target)})
    if p.returncode != 0:
        fail(f"python in {target}: {p.stdout}{p.stderr}")
    return p.stdout.strip()


def access_log_since(offset):
    with open(FIXTURE["access_log"], "rb") as f:
        f.seek(offset)
        return [json.loads(line) for line in f.read().decode().splitlines() if line.strip()]


def log_size():
    return os.path.getsize(FIXTURE["access_log"])


def no_password_under(*dirs):
    for d in dirs:
        for path in Path(d).rglob("*"):
            if path.is_file() and PASSWORD.encode() in path.read_bytes():
                fail(f"the password is in {path}")


def netrc():
    (WORK / "home").mkdir(exist_ok=True)
    (WORK / "home" / ".netrc").write_text(f"machine 127.0.0.1 login {USER} password {PASSWORD}\n")
    os.chmod(WORK / "home" / ".netrc", 0o600)


def flit_project(root, name="flitpkg", version="0.1", value="first"):
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        f'[build-system]\nrequires = ["flit_core>=3.4"]\nbuild-backend = "flit_core.buildapi"\n\n'
        f'[project]\nname = "{name}"\nversion = "{version}"\ndescription = "test"\ndependencies = ["bdep"]\n')
    (root / f"{name}.py").write_text(f'"""A flit project."""\nVALUE = "{value}"\n')


def case_sdist_private_basic_auth():
    """An sdist-only package from a basic-auth index installs and imports; with
    authenticate = always not one request goes out without credentials (the
    backend wheels included); the lock has [packages.sdist] with sha256; no
    password in the lock, target, cache or -vv output."""
    netrc()
    tag = f"build{os.getpid()}"
    private = f"http://127.0.0.1:{PORT}/tagged/{tag}/private/build/simple"
    (WORK / "uv.toml").write_text(f'[[index]]\nname = "corp"\nurl = "{private}"\ndefault = true\nauthenticate = "always"\n')
    before = log_size()
    out = run("-vv", "lock", "--config-file", str(WORK / "uv.toml"), "-o", "pylock.toml", "sdonly")
    lock = (WORK / "pylock.toml").read_text()
    if "[packages.sdist]" not in lock or "sha256" not in lock.split("[packages.sdist]")[1][:400]:
        fail("the lock has no [packages.sdist] with a sha256:\n" + lock)
    out += run("-vv", "sync", "--config-file", str(WORK / "uv.toml"), "--lock", "pylock.toml", "--target", "t")
    if python(WORK / "t", "import sdonly; print(sdonly.VALUE)") != "sdonly 1.0 built from source":
        fail("sdonly does not import")
    requests = [r for r in access_log_since(before) if r["uri"].startswith(f"/tagged/{tag}/")]
    unauthenticated = [r for r in requests if r["auth"] == "no"]
    if unauthenticated:
        fail("requests without credentials under authenticate=always: " + ", ".join(r["uri"] for r in unauthenticated))
    if not any("setuptools" in r["uri"] for r in requests):
        fail("the build backend did not come from the private index")
    no_password_under(WORK / "t", WORK / "cache", WORK / "pylock.toml")


def case_backend_environment():
    """An in-tree backend that records os.environ sees no UV_INDEX_* credential."""
    spy = WORK / "spy.json"
    run("install", "--default-index", PUBLIC, "--target", "t", "envspy",
        extra_env={"UV_INDEX_CORP_USERNAME": USER, "UV_INDEX_CORP_PASSWORD": PASSWORD, "UV_INDEX": f"corp={PRIVATE}",
                   "UVAUTH_TEST_SPY_FILE": str(spy), "PIP_INDEX_URL": f"http://{USER}:{PASSWORD}@127.0.0.1/simple"})
    seen = json.loads(spy.read_text())
    leaked = [k for k, v in seen.items() if k.startswith("UV_INDEX") or PASSWORD in v]
    if leaked:
        fail("the backend saw credential variables: " + ", ".join(leaked))
    if python(WORK / "t", "import envspy; print(envspy.VALUE)") != "envspy built":
        fail("envspy does not import")


def case_setuptools_directory():
    """A local setuptools project directory installs (name @ file:// and ./dir)."""
    proj = WORK / "proj"
    proj.mkdir()
    (proj / "pyproject.toml").write_text('[build-system]\nrequires = ["setuptools>=40.8.0", "wheel"]\nbuild-backend = "setuptools.build_meta"\n')
    (proj / "setup.cfg").write_text("[metadata]\nname = localtool\nversion = 2.0\n[options]\npy_modules = localtool\n")
    (proj / "localtool.py").write_text("VALUE = 'local 2.0'\n")
    run("install", "--default-index", PUBLIC, "--target", "t", "./proj")
    if python(WORK / "t", "import localtool; print(localtool.VALUE)") != "local 2.0":
        fail("localtool does not import")
    direct = json.loads(next((WORK / "t").glob("localtool-2.0.dist-info")).joinpath("direct_url.json").read_text())
    if direct.get("url") != "file://" + str(proj) or "dir_info" not in direct:
        fail(f"direct_url.json: {direct}")
    run("lock", "--default-index", PUBLIC, "-o", "pylock.toml", f"localtool @ file://{proj}")
    lock = (WORK / "pylock.toml").read_text()
    if "[packages.directory]" not in lock or not any(f"path = {q}proj{q}" in lock for q in "'\""):
        fail("the lock has no relative [packages.directory]:\n" + lock)


def case_flit_editable():
    """A flit project installs editable, sees an edit without reinstalling; a
    second sync keeps it; the lock records editable = true."""
    flit_project(WORK / "flitpkg")
    (WORK / "requirements.txt").write_text("-e ./flitpkg\n")
    run("lock", "--default-index", PUBLIC, "-r", "requirements.txt", "-o", "pylock.toml")
    lock = (WORK / "pylock.toml").read_text()
    if "editable = true" not in lock or not any(f"path = {q}flitpkg{q}" in lock for q in "'\""):
        fail("the lock does not record the editable directory:\n" + lock)
    run("sync", "--lock", "pylock.toml", "--venv", "venv")
    venv_python = str(WORK / "venv" / "bin" / "python")
    first = subprocess.run([venv_python, "-c", "import flitpkg; print(flitpkg.VALUE)"], capture_output=True, text=True).stdout.strip()
    if first != "first":
        fail("flitpkg does not import from the venv: " + first)
    (WORK / "flitpkg" / "flitpkg.py").write_text('"""A flit project."""\nVALUE = "edited"\n')
    second = subprocess.run([venv_python, "-c", "import flitpkg; print(flitpkg.VALUE)"], capture_output=True, text=True).stdout.strip()
    if second != "edited":
        fail("the edit is not visible: " + second)
    site = next((WORK / "venv" / "lib").glob("python*/site-packages"))
    direct = json.loads(next(site.glob("flitpkg-0.1.dist-info")).joinpath("direct_url.json").read_text())
    if direct.get("dir_info", {}).get("editable") is not True:
        fail(f"direct_url.json is not editable: {direct}")
    out = run("sync", "--lock", "pylock.toml", "--venv", "venv")
    if "up to date" not in out:
        fail("a second sync of an unchanged editable project changed something:\n" + out)


def case_second_install_no_build():
    """A second install of the same sdist runs no build (the built wheel is cached)."""
    run("install", "--default-index", PUBLIC, "--target", "t1", "sdonly")
    out = run("-v", "install", "--default-index", PUBLIC, "--target", "t2", "sdonly")
    if "running the build_wheel hook" in out or "Building" in out:
        fail("the second install built again:\n" + out)
    if python(WORK / "t2", "import sdonly; print(sdonly.VALUE)") != "sdonly 1.0 built from source":
        fail("sdonly does not import from the second target")


def case_no_build():
    """--no-build refuses: exit 1 naming the package."""
    out = run("install", "--no-build", "--default-index", PUBLIC, "--target", "t", "sdonly", expect=1)
    if "sdonly" not in out or "--no-build" not in out:
        fail("--no-build error does not name the package and the flag:\n" + out)
    # pip's and uv's --only-binary, as a flag and in a requirements file (it was ignored there).
    for flag in ([":all:"], ["sdonly"], ["other,sdonly"]):
        out = run("install", "--only-binary", *flag, "--default-index", PUBLIC, "--target", "t", "sdonly", expect=1)
        if "sdonly" not in out or "--only-binary" not in out:
            fail(f"--only-binary {flag[0]} error does not name the package and the flag:\n" + out)
    (WORK / "only.txt").write_text("--only-binary :all:\nsdonly\n")
    out = run("install", "-r", str(WORK / "only.txt"), "--default-index", PUBLIC, "--target", "t", expect=1)
    if "sdonly" not in out or "building is off" not in out:
        fail("--only-binary in a requirements file was not honoured:\n" + out)
    run("install", "--only-binary", ":none:", "--default-index", PUBLIC, "--target", "t-none", "sdonly")
    run("lock", "--default-index", PUBLIC, "-o", "pylock.toml", "sdonly")
    out = run("sync", "--no-build", "--lock", "pylock.toml", "--target", "t", expect=1)
    if "sdonly" not in out:
        fail("sync --no-build does not name the package:\n" + out)


def case_broken_setup_py():
    """A broken setup.py fails with exit 1 naming the package, the backend and its error."""
    out = run("install", "--default-index", PUBLIC, "--target", "t", "broken", expect=1)
    for needle in ("broken", "setuptools.build_meta:__legacy__", "broken on purpose: setup.py error 42"):
        if needle not in out:
            fail(f"the error lacks {needle!r}:\n{out}")


def case_no_binary():
    """--no-binary NAME takes the sdist of a version that also has a wheel; without it the wheel."""
    run("install", "--default-index", PUBLIC, "--target", "wheel", "mixed")
    if python(WORK / "wheel", "import mixed; print(mixed.VALUE)") != "from the wheel":
        fail("without --no-binary the wheel is not preferred")
    run("install", "--no-binary", "mixed", "--default-index", PUBLIC, "--target", "sdist", "mixed")
    if python(WORK / "sdist", "import mixed; print(mixed.VALUE)") != "from the sdist":
        fail("--no-binary mixed did not build the sdist")


def case_static_pkg_info():
    """An sdist with Metadata 2.2 PKG-INFO (nothing dynamic) is locked without a build."""
    out = run("-v", "lock", "--default-index", PUBLIC, "-o", "pylock.toml", "modern")
    if "hook" in out:
        fail("locking a Metadata 2.2 sdist ran a backend hook:\n" + out)
    if "PKG-INFO 2.2" not in out:
        fail("the static PKG-INFO was not used:\n" + out)


def case_direct_sdist_urls_and_timeout():
    """`name @ https://.../x.tar.gz` from a basic-auth location (credentials from
    netrc, never in the lock); `name @ file:///.../x.tar.gz`; a backend without
    prepare_metadata (metadata from a full build); UVAUTH_BUILD_TIMEOUT stops a
    build that hangs, exit 1 naming the package."""
    netrc()
    url = f"http://127.0.0.1:{PORT}/private/build/files/noprep-2.0.tar.gz"
    run("install", "--default-index", PUBLIC, "--target", "t", f"noprep @ {url}")
    if python(WORK / "t", "import noprep, bdep; print(noprep.VALUE)") != "noprep 2.0":
        fail("noprep does not import")
    direct = json.loads(next((WORK / "t").glob("noprep-2.0.dist-info")).joinpath("direct_url.json").read_text())
    if direct.get("url") != url or "archive_info" not in direct:
        fail(f"direct_url.json: {direct}")
    run("lock", "--default-index", PUBLIC, "-o", "pylock.toml", f"noprep @ {url}")
    lock = (WORK / "pylock.toml").read_text()
    if "[packages.sdist]" not in lock or PASSWORD in lock or "alice" in lock:
        fail("the direct sdist's lock entry:\n" + lock)
    local = WORK / "noprep-2.0.tar.gz"
    shutil.copy(Path(FIXTURE["data_dir"]) / "build" / "files" / "noprep-2.0.tar.gz", local)
    shutil.rmtree(WORK / "cache", ignore_errors=True)
    run("install", "--default-index", PUBLIC, "--target", "t2", f"noprep @ file://{local}")
    if python(WORK / "t2", "import noprep; print(noprep.VALUE)") != "noprep 2.0":
        fail("noprep from a local sdist does not import")
    shutil.rmtree(WORK / "cache", ignore_errors=True)
    start = __import__("time").monotonic()
    out = run("install", "--default-index", PUBLIC, "--target", "t3", str(local), expect=1,
              extra_env={"UVAUTH_BUILD_TIMEOUT": "2", "UVAUTH_TEST_SLEEP": "60"})
    if __import__("time").monotonic() - start > 30:
        fail("the build time limit did not stop the build")
    if "did not finish within 2 s" not in out or "noprep" not in out:
        fail("the timeout error does not say what was stopped:\n" + out)


def case_project_sources_path():
    """[tool.uv.sources] name = { path = ..., editable = true } through --project."""
    flit_project(WORK / "libs" / "flitpkg")
    (WORK / "app").mkdir()
    (WORK / "app" / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "0"\ndependencies = ["flitpkg"]\n\n'
        '[tool.uv.sources]\nflitpkg = { path = "../libs/flitpkg", editable = true }\n')
    run("lock", "--default-index", PUBLIC, "--project", "app", "-o", "app/pylock.toml")
    lock = (WORK / "app" / "pylock.toml").read_text()
    if not any(f"path = {q}../libs/flitpkg{q}" in lock for q in "'\"") or "editable = true" not in lock:
        fail("the source path is not in the lock:\n" + lock)
    run("sync", "--lock", "app/pylock.toml", "--target", "t")
    if not list((WORK / "t").glob("*.pth")):
        fail("the editable install put no .pth in the target")


CASES = {name[5:]: f for name, f in globals().items() if name.startswith("case_")}

if __name__ == "__main__":
    try:
        if CASE not in CASES:
            fail(f"no case {CASE}; cases: {', '.join(sorted(CASES))}")
        CASES[CASE]()
        print(f"ok: {CASE}")
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
