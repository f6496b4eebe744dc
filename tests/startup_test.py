#!/usr/bin/env python3
"""Start-up cost: with UVAUTH_LAZY_LIBRARIES, a command that needs no network,
sdist, wheel or keychain maps none of libcurl, libarchive, libsecret or libzip
(and what they pull in), nor libcrypto (linked from its static archive); the
first URL parsed opens libcurl, the first wheel read opens libzip.

  startup_test.py UVAUTH
"""
import os
import subprocess
import sys
import tempfile

TOOL = sys.argv[1]


def loaded(*args, cwd=None):
    env = dict(os.environ, LD_DEBUG="files")
    p = subprocess.run([TOOL, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=60)
    return p.returncode, p.stderr


def demo_wheel():
    """A real wheel (zipfile, RECORD with hashes) of a project `demo` 1.0."""
    import base64, hashlib, io, zipfile
    files = {"demo/__init__.py": b"X = 1\n", "demo-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n",
             "demo-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = [f"{name},sha256={base64.urlsafe_b64encode(hashlib.sha256(body).digest()).rstrip(b'=').decode()},{len(body)}"
              for name, body in files.items()]
    files["demo-1.0.dist-info/RECORD"] = ("\n".join(record + ["demo-1.0.dist-info/RECORD,,"]) + "\n").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in files.items():
            z.writestr(name, body)
    return out.getvalue()


def main():
    rc, log = loaded("--version")
    if rc != 0:
        print("FAIL: uvauth --version exited", rc)
        return 1
    for lib in ("libcurl.so", "libarchive.so", "libsecret-1.so", "libgnutls.so", "libicuuc.so", "libzip.so", "libcrypto.so",
                "libbz2.so"):
        if f"file={lib}" in log or f"/{lib}" in log.replace("file=", "/"):
            print(f"FAIL: uvauth --version loaded {lib}")
            return 1
    # The first request (to a port where nothing answers) opens libcurl, and
    # the transfer runs: a connection error, not a loading error.
    with tempfile.TemporaryDirectory() as home:
        env = {"HOME": home, "PATH": os.environ.get("PATH", ""), "LD_DEBUG": "files", "UV_NO_CONFIG": "1"}
        p = subprocess.run([TOOL, "fetch", "http://127.0.0.1:9/simple/x/"], capture_output=True, text=True,
                           env=env, timeout=60)
        if "libcurl.so" not in p.stderr:
            print("FAIL: a fetch did not open libcurl:\n" + p.stderr[-2000:])
            return 1
        if "cannot load" in p.stderr or "Connection refused" not in p.stderr and "connect" not in p.stderr.lower():
            print("FAIL: " + p.stderr[-2000:])
            return 1
        # A local wheel, given as a bare path (as pip and uv take it), installed
        # offline: reading it opens libzip, and it is installed as a wheel.
        with open(os.path.join(home, "demo-1.0-py3-none-any.whl"), "wb") as f:
            f.write(demo_wheel())
        p = subprocess.run([TOOL, "install", "demo-1.0-py3-none-any.whl", "--target", "t", "--offline", "--python",
                            sys.executable, "--cache-dir", "c", "--no-config"], capture_output=True, text=True,
                           env=env, cwd=home, timeout=60)
        if p.returncode != 0 or not os.path.exists(os.path.join(home, "t", "demo", "__init__.py")):
            print(f"FAIL: installing a wheel by its path (exit {p.returncode}):\n" + p.stderr[-3000:])
            return 1
        if "libzip.so" not in p.stderr:
            print("FAIL: reading a wheel did not open libzip:\n" + p.stderr[-2000:])
            return 1
        # uvauth pins TZ for itself (glibc stats /etc/localtime on every
        # mktime while TZ is unset), but a child's environment is the user's:
        # no TZ when the user has none, the user's own when set.
        seen = os.path.join(home, "tz-seen")
        wrapper = os.path.join(home, "python-wrapper")
        with open(wrapper, "w") as f:
            f.write(f"#!/bin/sh\necho \"${{TZ-unset}}\" >> {seen}\nexec {sys.executable} \"$@\"\n")
        os.chmod(wrapper, 0o755)
        for tz, expected in ((None, "unset"), ("UTC", "UTC")):
            child_env = {k: v for k, v in env.items() if k != "LD_DEBUG"}
            if tz:
                child_env["TZ"] = tz
            if os.path.exists(seen):
                os.unlink(seen)
            p = subprocess.run([TOOL, "install", "demo-1.0-py3-none-any.whl", "--target", f"t-{expected}", "--offline", "--python",
                                wrapper, "--cache-dir", f"c-{expected}", "--no-config"], capture_output=True, text=True,
                               env=child_env, cwd=home, timeout=60)
            lines = open(seen).read().split() if os.path.exists(seen) else []
            if p.returncode != 0 or not lines or any(line != expected for line in lines):
                print(f"FAIL: with TZ {tz!r} the interpreter saw TZ {lines} (exit {p.returncode}):\n" + p.stderr[-2000:])
                return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
