#!/usr/bin/env python3
"""Builds a realistic package index from the distributions installed in this
Python: each one re-packed as a wheel (its RECORD names the files; WHEEL keeps
its tags; RECORD is written afresh), laid out as a PEP 503 index with PEP 658
.metadata files.

  build_corpus.py OUT_DIR [--only NAME...]   (--only: just these distributions)
"""
import base64
import hashlib
import html
import importlib.metadata as md
import os
import re
import sys
import zipfile
from pathlib import Path

SKIP_NAMES = {"INSTALLER", "REQUESTED", "direct_url.json", "RECORD"}


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def record_hash(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def compressed_tag(tags):
    parts = [t.split("-") for t in tags]
    if not parts or any(len(p) != 3 for p in parts):
        return None
    interps, abis, plats = (sorted({p[i] for p in parts}) for i in range(3))
    if len(interps) * len(abis) * len(plats) != len(parts):
        return tags[0]
    return "-".join(".".join(x) for x in (interps, abis, plats))


def build(dist, out_files):
    dist_info = Path(dist._path)
    if not dist_info.name.endswith(".dist-info") or dist.files is None:
        return None
    wheel_meta = (dist_info / "WHEEL").read_text() if (dist_info / "WHEEL").exists() else "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    tags = [line.split(":", 1)[1].strip() for line in wheel_meta.splitlines() if line.startswith("Tag:")]
    tag = compressed_tag(tags) or "py3-none-any"
    name = dist.metadata["Name"]
    version = dist.version
    filename = f"{re.sub(r'[-_.]+', '_', name)}-{version}-{tag}.whl"
    target = out_files / filename
    records = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for f in dist.files:
            path = str(f)
            if path.startswith("..") or "__pycache__" in path or path.endswith(".pyc"):
                continue
            if path.startswith(dist_info.name + "/") and path.split("/")[-1] in SKIP_NAMES:
                continue
            full = dist.locate_file(f)
            if not os.path.isfile(full):
                continue
            data = Path(full).read_bytes()
            info = zipfile.ZipInfo(path, date_time=(2024, 1, 1, 0, 0, 0))
            info.external_attr = (os.stat(full).st_mode & 0o777) << 16
            z.writestr(info, data, zipfile.ZIP_DEFLATED)
            records.append(f"{path},{record_hash(data)},{len(data)}")
        records.append(f"{dist_info.name}/RECORD,,")
        z.writestr(zipfile.ZipInfo(f"{dist_info.name}/RECORD", date_time=(2024, 1, 1, 0, 0, 0)), "\n".join(records) + "\n")
    metadata = (dist_info / "METADATA").read_bytes()
    (out_files / (filename + ".metadata")).write_bytes(metadata)
    return {"name": normalize(name), "filename": filename, "sha256": hashlib.sha256(target.read_bytes()).hexdigest(),
            "metadata_sha256": hashlib.sha256(metadata).hexdigest(),
            "requires_python": dist.metadata.get("Requires-Python"), "files": len(records)}


def main():
    args = sys.argv[1:]
    only = None
    if "--only" in args:
        at = args.index("--only")
        only = {normalize(n) for n in args[at + 1:]}
        args = args[:at]
    if len(args) != 1:
        sys.exit(__doc__)
    out = Path(args[0])
    files = out / "files"
    files.mkdir(parents=True, exist_ok=True)
    projects = {}
    total_files = 0
    for dist in md.distributions():
        name = normalize(dist.metadata["Name"] or "")
        if name in ("pip", "setuptools", "wheel") or (only is not None and name not in only):
            continue
        built = build(dist, files)
        if built:
            projects.setdefault(built["name"], []).append(built)
            total_files += built["files"]
    for name, wheels in projects.items():
        page = out / "simple" / name
        page.mkdir(parents=True, exist_ok=True)
        links = []
        for w in wheels:
            rp = f' data-requires-python="{html.escape(w["requires_python"])}"' if w["requires_python"] else ""
            links.append(f'<a href="../../files/{w["filename"]}#sha256={w["sha256"]}"{rp} '
                         f'data-core-metadata="sha256={w["metadata_sha256"]}">{w["filename"]}</a><br/>')
        (page / "index.html").write_text("<!DOCTYPE html><html><body>\n" + "\n".join(links) + "\n</body></html>\n")
    if only is not None and set(projects) != only:
        sys.exit(f"not installed in {sys.executable}: {', '.join(sorted(only - set(projects)))}")
    size = sum(f.stat().st_size for f in files.glob("*.whl"))
    print(f"{len(projects)} projects, {sum(len(w) for w in projects.values())} wheels, {size / 1e6:.1f} MB, {total_files} files")


if __name__ == "__main__":
    main()
