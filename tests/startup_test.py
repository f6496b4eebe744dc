#!/usr/bin/env python3
"""Start-up cost: with UVAUTH_LAZY_LIBRARIES, a command that needs no network,
sdist or keychain maps none of libcurl, libarchive or libsecret (and what they
pull in); the first URL parsed opens libcurl.

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


def main():
    rc, log = loaded("--version")
    if rc != 0:
        print("FAIL: uvauth --version exited", rc)
        return 1
    for lib in ("libcurl.so", "libarchive.so", "libsecret-1.so", "libgnutls.so", "libicuuc.so"):
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
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
