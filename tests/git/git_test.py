#!/usr/bin/env python3
"""Git requirements against real repositories served by `git http-backend`
behind the nginx fixture (/git/ with basic auth, /git-public/ without):

  git_test.py UVAUTH FIXTURE.json CASE

A `git` wrapper first on PATH records every argv: the password must be on
none, nor in the lock, the target, the cache or the output (at -vv).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TOOL, FIXTURE, CASE = os.path.abspath(sys.argv[1]), json.load(open(sys.argv[2])), sys.argv[3]
PORT = FIXTURE["ports"]["http"]
BUILD_INDEX = f"http://127.0.0.1:{PORT}/public/build/simple"
USER, PASSWORD = "alice", FIXTURE["users"]["alice"]
WORK = Path(tempfile.mkdtemp(prefix=f"uvauth-git-{CASE}-"))
GIT = shutil.which("git")
REPO_NAME = f"{CASE}-{os.getpid()}.git"
REPO = Path(FIXTURE["git_root"]) / REPO_NAME
SRC = WORK / "src"


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def git(*args, cwd=None):
    subprocess.run([GIT, "-c", "user.email=t@example.invalid", "-c", "user.name=t", *args], check=True, cwd=cwd or SRC,
                   capture_output=True)


def commit_id(ref):
    return subprocess.run([GIT, "rev-parse", ref], cwd=SRC, check=True, capture_output=True, text=True).stdout.strip()


def make_repo():
    """A flit_core project at the root and one in sub/, tag v1.0, branch main; published bare."""
    (SRC / "gitpkg").mkdir(parents=True)
    (SRC / "pyproject.toml").write_text('[build-system]\nrequires = ["flit_core>=3.2"]\nbuild-backend = "flit_core.buildapi"\n'
                                        '[project]\nname = "gitpkg"\nversion = "1.0"\ndescription = "x"\n')
    (SRC / "gitpkg" / "__init__.py").write_text("VALUE = 'one'\n")
    (SRC / "sub" / "subpkg").mkdir(parents=True)
    (SRC / "sub" / "pyproject.toml").write_text('[build-system]\nrequires = ["flit_core>=3.2"]\nbuild-backend = "flit_core.buildapi"\n'
                                                '[project]\nname = "subpkg"\nversion = "2.0"\ndescription = "x"\n')
    (SRC / "sub" / "subpkg" / "__init__.py").write_text("VALUE = 'sub'\n")
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "one")
    git("tag", "v1.0")
    publish()


def publish():
    if REPO.exists():
        git("push", "-q", "--force", "--tags", str(REPO), "main")
    else:
        subprocess.run([GIT, "clone", "-q", "--bare", str(SRC), str(REPO)], check=True, capture_output=True)
        subprocess.run([GIT, "--git-dir", str(REPO), "update-server-info"], check=True)


def new_commit(value):
    (SRC / "gitpkg" / "__init__.py").write_text(f"VALUE = {value!r}\n")
    git("commit", "-qam", value)
    publish()


def wrapper():
    """A git first on PATH that logs its argv, then runs the real one."""
    bindir = WORK / "bin"
    bindir.mkdir(exist_ok=True)
    log = WORK / "git-argv.log"
    script = bindir / "git"
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$*\" >> {log}\nexec {GIT} \"$@\"\n")
    script.chmod(0o755)
    return bindir, log


def env(**extra):
    e = {k: v for k, v in os.environ.items() if not k.startswith("UV_") and k not in ("NETRC",) and not k.startswith("GIT_")}
    e["HOME"] = str(WORK / "home")
    e["XDG_CONFIG_HOME"] = str(WORK / "home" / ".config")
    e["UVAUTH_CACHE_DIR"] = str(WORK / "cache")
    (WORK / "home").mkdir(exist_ok=True)
    bindir, _ = wrapper()
    e["PATH"] = str(bindir) + os.pathsep + e.get("PATH", "")
    e.update(extra)
    return e


def run(*args, expect=0, extra_env=None):
    p = subprocess.run([TOOL, *args], capture_output=True, text=True, env=env(**(extra_env or {})), cwd=WORK, timeout=600)
    out = p.stdout + p.stderr
    if expect is not None and p.returncode != expect:
        fail(f"uvauth {' '.join(args)} exited {p.returncode}, expected {expect}:\n{out}")
    if PASSWORD in out:
        fail("the password appears in the output of uvauth " + " ".join(args))
    return out


def netrc():
    path = WORK / "netrc"
    path.write_text(f"machine 127.0.0.1\nlogin {USER}\npassword {PASSWORD}\n")
    path.chmod(0o600)
    return {"NETRC": str(path)}


def log_offset():
    return os.path.getsize(FIXTURE["access_log"])


def git_requests(offset):
    out = []
    with open(FIXTURE["access_log"], "rb") as f:
        f.seek(offset)
        for line in f.read().decode().splitlines():
            entry = json.loads(line)
            if f"/{REPO_NAME}/" in entry["uri"]:
                out.append(entry)
    return out


def python(target, code):
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(target)})
    if p.returncode != 0:
        fail(f"python in {target}: {p.stdout}{p.stderr}")
    return p.stdout.strip()


def no_secret_anywhere():
    _, log = wrapper()
    if log.exists() and PASSWORD in log.read_text():
        fail("the password was on git's argv")
    for root in (WORK / "cache", WORK / "t", WORK / "t2"):
        if not root.exists():
            continue
        for path in root.rglob("*"):
            if path.is_file() and not path.is_symlink():
                try:
                    if PASSWORD.encode() in path.read_bytes():
                        fail(f"the password is in {path}")
                except OSError:
                    pass
    for lock in WORK.glob("*.toml"):
        if PASSWORD in lock.read_text() or USER + ":" in lock.read_text():
            fail(f"credentials in {lock}")


def lock(requirement, *flags, output="pylock.toml", expect=0, extra_env=None):
    return run("-vv", "lock", "--index-url", BUILD_INDEX, *flags, requirement, "-o", output, expect=expect, extra_env=extra_env)


def sync(lock_file="pylock.toml", target="t", *flags, expect=0, extra_env=None):
    return run("-vv", "sync", "--index", BUILD_INDEX, "--lock", lock_file, "--target", target, *flags, expect=expect, extra_env=extra_env)


def case_revisions_with_netrc():
    """Tag, branch, full and short commit, subdirectory; credentials from netrc; no unauthenticated request."""
    make_repo()
    first = commit_id("HEAD")
    base = f"http://127.0.0.1:{PORT}/git/{REPO_NAME}"
    offset = log_offset()
    for rev in ("v1.0", "main", first, first[:10]):
        lock(f"gitpkg @ git+{base}@{rev}", extra_env=netrc())
        text = (WORK / "pylock.toml").read_text()
        if f"commit-id = '{first}'" not in text or f"requested-revision = '{rev}'" not in text or f"url = '{base}'" not in text:
            fail(f"@{rev}: the lock has no vcs entry for {first}:\n{text}")
    requests = git_requests(offset)
    if not requests or any(r["auth"] != "basic" for r in requests):
        fail(f"a request to the repository went without credentials: {requests}")
    sync(extra_env=netrc())
    if python(WORK / "t", "import gitpkg; print(gitpkg.VALUE)") != "one":
        fail("gitpkg was not installed from the tag")
    direct = json.loads(next((WORK / "t").glob("gitpkg-1.0.dist-info")).joinpath("direct_url.json").read_text())
    if direct != {"url": base, "vcs_info": {"vcs": "git", "commit_id": first, "requested_revision": first[:10]}}:
        fail(f"direct_url.json: {direct}")
    lock(f"subpkg @ git+{base}@v1.0#subdirectory=sub", output="sub.toml", extra_env=netrc())
    if "subdirectory = 'sub'" not in (WORK / "sub.toml").read_text():
        fail("no subdirectory in the lock")
    sync("sub.toml", "t2", extra_env=netrc())
    if python(WORK / "t2", "import subpkg; print(subpkg.VALUE)") != "sub":
        fail("subpkg was not installed from the subdirectory")
    no_secret_anywhere()


def case_url_userinfo_and_store():
    """Credentials from the URL's userinfo, then from uvauth's credentials store; neither reaches the lock."""
    make_repo()
    url = f"git+http://{USER}:{PASSWORD}@127.0.0.1:{PORT}/git/{REPO_NAME}@v1.0"
    out = lock(f"gitpkg @ {url}")
    if USER + ":" in (WORK / "pylock.toml").read_text():
        fail("userinfo in the lock")
    store = WORK / "store"
    run("auth", "login", f"http://127.0.0.1:{PORT}/git/", "--username", USER, "--password", PASSWORD,
        extra_env={"UV_CREDENTIALS_DIR": str(store)})
    shutil.rmtree(WORK / "cache")
    lock(f"gitpkg @ git+http://127.0.0.1:{PORT}/git/{REPO_NAME}@v1.0", extra_env={"UV_CREDENTIALS_DIR": str(store)})
    sync(extra_env={"UV_CREDENTIALS_DIR": str(store)})
    no_secret_anywhere()
    del out


def case_always_without_credentials():
    """authenticate = "always" on an index covering the server, no credentials: Missing credentials, no request."""
    make_repo()
    (WORK / "uv.toml").write_text(f'[[index]]\nname = "corp"\nurl = "http://127.0.0.1:{PORT}/git/"\nauthenticate = "always"\nexplicit = true\n')
    offset = log_offset()
    out = run("lock", "--config-file", str(WORK / "uv.toml"), "--index-url", BUILD_INDEX,
              f"gitpkg @ git+http://127.0.0.1:{PORT}/git/{REPO_NAME}@v1.0", "-o", "pylock.toml", expect=None)
    if "Missing credentials" not in out:
        fail("no Missing credentials error:\n" + out)
    if git_requests(offset):
        fail("a request was sent without credentials under always")


def case_wrong_password_once():
    """A wrong password: one refused request, a clear error, exit code of an auth failure."""
    make_repo()
    path = WORK / "netrc"
    path.write_text(f"machine 127.0.0.1\nlogin {USER}\npassword wrong-password\n")
    path.chmod(0o600)
    offset = log_offset()
    p = subprocess.run([TOOL, "lock", "--index-url", BUILD_INDEX, f"gitpkg @ git+http://127.0.0.1:{PORT}/git/{REPO_NAME}@v1.0", "-o",
                        "pylock.toml"], capture_output=True, text=True, env=env(NETRC=str(path)), cwd=WORK, timeout=300)
    out = p.stdout + p.stderr
    if p.returncode == 0 or "refused user 'alice'" not in out or "wrong-password" in out:
        fail(f"exit {p.returncode}, expected a refusal naming the user:\n{out}")
    requests = git_requests(offset)
    if len(requests) != 1 or requests[0]["status"] != "401":
        fail(f"expected exactly one refused request, got {requests}")


def case_public_repository():
    """A repository without authentication, no credentials anywhere."""
    make_repo()
    lock(f"gitpkg @ git+http://127.0.0.1:{PORT}/git-public/{REPO_NAME}")
    sync()
    if python(WORK / "t", "import gitpkg; print(gitpkg.VALUE)") != "one":
        fail("gitpkg from the public repository")
    # The same through [tool.uv.sources] of a project (--project).
    app = WORK / "app"
    app.mkdir()
    (app / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "0.1"\ndependencies = ["gitpkg", "subpkg"]\n'
                                        '[tool.uv.sources]\n'
                                        f'gitpkg = {{ git = "http://127.0.0.1:{PORT}/git-public/{REPO_NAME}", tag = "v1.0" }}\n'
                                        f'subpkg = {{ git = "http://127.0.0.1:{PORT}/git-public/{REPO_NAME}", branch = "main", subdirectory = "sub" }}\n')
    run("lock", "--index-url", BUILD_INDEX, "--project", str(app), "-o", "app.toml")
    text = (WORK / "app.toml").read_text()
    if "requested-revision = 'v1.0'" not in text or "subdirectory = 'sub'" not in text:
        fail("[tool.uv.sources] git entries are not in the lock:\n" + text)
    (app / "pyproject.toml").write_text((app / "pyproject.toml").read_text().replace('tag = "v1.0"', 'tag = "v1.0", branch = "main"'))
    out = run("lock", "--index-url", BUILD_INDEX, "--project", str(app), "-o", "app.toml", expect=None)
    if "more than one of" not in out:
        fail("tag and branch together were not refused:\n" + out)
    (app / "pyproject.toml").write_text((app / "pyproject.toml").read_text().replace('tag = "v1.0", branch = "main"', 'tga = "v1.0"'))
    out = run("lock", "--index-url", BUILD_INDEX, "--project", str(app), "-o", "app.toml", expect=None)
    if "unknown key `tga`" not in out:
        fail("a mistyped key of a Git source was not refused:\n" + out)
    # Submodules are not fetched: a repository that has them says so (not a silent empty directory).
    git("checkout", "-q", "-b", "with-submodules")
    (SRC / ".gitmodules").write_text('[submodule "vendor"]\n\tpath = vendor\n\turl = ../vendor.git\n')
    git("add", ".gitmodules")
    git("commit", "-qm", "submodules")
    git("push", "-q", str(REPO), "with-submodules")
    git("checkout", "-q", "main")
    out = lock(f"gitpkg @ git+http://127.0.0.1:{PORT}/git-public/{REPO_NAME}@with-submodules", output="submodules.toml")
    out += sync("submodules.toml", "t-sub")
    if "has submodules (.gitmodules); uvauth does not fetch them" not in out:
        fail("a repository with submodules built without a word:\n" + out)
    # A server whose HEAD names a branch that does not exist (a bare repository
    # made with another default branch): tags and branches still resolve, and
    # no revision at all is a clear error, not git's "couldn't find remote ref".
    subprocess.run([GIT, "--git-dir", str(REPO), "symbolic-ref", "HEAD", "refs/heads/no-such-branch"], check=True)
    shutil.rmtree(WORK / "cache", ignore_errors=True)
    lock(f"gitpkg @ git+http://127.0.0.1:{PORT}/git-public/{REPO_NAME}@v1.0", output="dangling.toml")
    out = lock(f"gitpkg @ git+http://127.0.0.1:{PORT}/git-public/{REPO_NAME}", output="dangling.toml", expect=None)
    if "has no default branch" not in out or "@BRANCH" not in out:
        fail("a dangling remote HEAD is not explained:\n" + out)


def case_branch_moved_and_offline():
    """Lock on a branch, the branch moves: sync still installs the locked commit; relock keeps it until --upgrade; offline re-sync."""
    make_repo()
    first = commit_id("HEAD")
    requirement = f"gitpkg @ git+http://127.0.0.1:{PORT}/git/{REPO_NAME}@main"
    lock(requirement, extra_env=netrc())
    new_commit("two")
    second = commit_id("HEAD")
    # Another machine: an empty cache.
    shutil.rmtree(WORK / "cache")
    sync(extra_env=netrc())
    if python(WORK / "t", "import gitpkg; print(gitpkg.VALUE)") != "one":
        fail("sync did not install the locked commit after the branch moved")
    lock(requirement, extra_env=netrc())
    if f"commit-id = '{first}'" not in (WORK / "pylock.toml").read_text():
        fail("re-locking without --upgrade moved the commit")
    lock(requirement, "--upgrade-package", "gitpkg", extra_env=netrc())
    if f"commit-id = '{second}'" not in (WORK / "pylock.toml").read_text():
        fail("--upgrade-package did not take the branch's new commit")
    offset = log_offset()
    sync("pylock.toml", "t2", "--offline")
    if python(WORK / "t2", "import gitpkg; print(gitpkg.VALUE)") != "two":
        fail("offline sync from the cache")
    if git_requests(offset):
        fail("the offline sync contacted the server")
    out = sync("pylock.toml", "t2")
    if "up to date" not in out:
        fail("a second sync of the same commit was not a no-op:\n" + out)
    no_secret_anywhere()


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}

if __name__ == "__main__":
    if CASE not in CASES:
        sys.exit(f"unknown case {CASE}; known: {', '.join(CASES)}")
    try:
        CASES[CASE]()
    finally:
        if REPO.exists():
            shutil.rmtree(REPO, ignore_errors=True)
    shutil.rmtree(WORK, ignore_errors=True)
    print("ok")
