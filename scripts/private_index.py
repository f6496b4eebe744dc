#!/usr/bin/env python3
"""A private package index on loopback: nginx with basic auth over a folder
(a PEP 503 tree such as the one bench/build_corpus.py lays out). Used by
scripts/demo and bench/bench.py.

  private_index.py start WORK ROOT USER [PORT]   password from $PRIVATE_INDEX_PASSWORD;
                                                 prints the port
  private_index.py stop WORK
"""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def start(work: Path, root: Path, user: str, password: str, port=None, workers=2):
    port = port or free_port()
    if not port_is_free(port):
        sys.exit(f"port {port} on 127.0.0.1 is taken: stop what listens there or choose another port")
    for d in ("tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
        (work / d).mkdir(parents=True, exist_ok=True)
    subprocess.run(["htpasswd", "-b", "-c", str(work / "htpasswd"), user, password], check=True, capture_output=True)
    run_as = "user root root;" if os.geteuid() == 0 else ""
    (work / "nginx.conf").write_text(f"""
{run_as}
worker_processes {workers};
daemon on;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    default_type application/octet-stream;
    types {{ text/html html; }}
    client_body_temp_path {work}/tmp/body; proxy_temp_path {work}/tmp/proxy;
    fastcgi_temp_path {work}/tmp/fastcgi; uwsgi_temp_path {work}/tmp/uwsgi; scgi_temp_path {work}/tmp/scgi;
    log_format uvauth '$request_method $uri $status user=$remote_user';
    access_log {work}/access.log uvauth;
    keepalive_requests 100000;
    server {{
        listen 127.0.0.1:{port};
        location / {{ auth_basic "private index"; auth_basic_user_file {work}/htpasswd; root {root}; }}
    }}
}}
""")
    nginx = next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.path.exists(p)), "nginx")
    subprocess.run([nginx, "-p", str(work), "-c", str(work / "nginx.conf")], check=True)
    deadline = time.monotonic() + 10
    while port_is_free(port) and time.monotonic() < deadline:
        time.sleep(0.05)
    return port


def stop(work: Path):
    try:
        pid = int((work / "nginx.pid").read_text())
        os.kill(pid, 15)
    except (OSError, ValueError):
        pass


def main():
    if len(sys.argv) >= 5 and sys.argv[1] == "start":
        password = os.environ.get("PRIVATE_INDEX_PASSWORD")
        if not password:
            sys.exit("set PRIVATE_INDEX_PASSWORD")
        port = int(sys.argv[5]) if len(sys.argv) > 5 else None
        print(start(Path(sys.argv[2]).resolve(), Path(sys.argv[3]).resolve(), sys.argv[4], password, port))
    elif len(sys.argv) == 3 and sys.argv[1] == "stop":
        stop(Path(sys.argv[2]).resolve())
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
