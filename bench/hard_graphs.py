#!/usr/bin/env python3
"""Deterministic generator of hard, realistic package graphs (issue 16), for the
resolver's benchmark (bench/bench.py) and its validity test
(tests/packse/hard_graphs_test.py).

  hard_graphs.py OUT_DIR CASE [N]     write CASE's index under OUT_DIR

Cases (each a dict project -> version -> [Dep], plus the root's requirements):
  boto      hundreds of versions with exact pins (boto3 -> botocore==X), a
            transfer library with ranges, and an old urllib3 forced by another
            root requirement, so the solver walks far back;
  wide-N    N packages with 20-50 versions each and range dependencies on later
            packages; the newest versions conflict with each other, one
            consistent assignment exists by construction;
  pins      exact-pin pairs with extras (pydantic/pydantic-core style) under a
            root constraint that forces an older pair;
  unsat     like wide, with two roots whose every version needs disjoint
            ranges of one package.

Versions are X.Y.Z with small integers; a Dep is (name, lower, upper, extra)
meaning name>=lower,<upper (None: unbounded; lower == upper - 1 step: an
exact pin written as ==), required when `extra` (None: always) is asked for.
The structured form lets the test check a lock without any PEP 440 code.
"""
import hashlib
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def v(*parts):
    return tuple(parts)


def text(version):
    return ".".join(str(p) for p in version)


class Dep:
    __slots__ = ("name", "lower", "upper", "exact", "extra")

    def __init__(self, name, lower=None, upper=None, exact=None, extra=None):
        self.name, self.lower, self.upper, self.exact, self.extra = name, lower, upper, exact, extra

    def allows(self, version):
        if self.exact is not None:
            return version == self.exact
        return (self.lower is None or version >= self.lower) and (self.upper is None or version < self.upper)

    def requirement(self):
        if self.exact is not None:
            spec = "==" + text(self.exact)
        else:
            spec = ",".join(s for s in ((">=" + text(self.lower)) if self.lower else "",
                                        ("<" + text(self.upper)) if self.upper else "") if s)
        marker = f" ; extra == '{self.extra}'" if self.extra else ""
        return self.name + spec + marker


def boto(_n=None, seed=1):
    rng = random.Random(seed)
    graph = {"boto3": {}, "botocore": {}, "s3transfer": {}, "urllib3": {}, "jmespath": {}, "legacy-client": {}}
    count = 300
    for i in range(count):
        core = v(1, 30, i)
        # Newer botocore needs a newer urllib3 (as botocore did for urllib3 2).
        graph["botocore"][core] = [Dep("jmespath", v(0, 7)), Dep("urllib3", v(2, 0) if i >= 150 else v(1, 25),
                                                                 None if i >= 150 else v(2, 0))]
        graph["boto3"][v(1, 30, i)] = [Dep("botocore", exact=core), Dep("jmespath", v(0, 7)),
                                       Dep("s3transfer", v(0, 6 + i // 100), v(0, 7 + i // 100))]
    for minor in range(6, 10):
        for patch in range(10):
            graph["s3transfer"][v(0, minor, patch)] = [Dep("botocore", v(1, 30, (minor - 6) * 100 + patch), v(2))]
    for version in [v(1, 25, p) for p in range(12)] + [v(1, 26, p) for p in range(20)] + [v(2, 0, p) for p in range(8)]:
        graph["urllib3"][version] = []
    for version in [v(0, 9, 0), v(0, 10, 0), v(1, 0, 1)]:
        graph["jmespath"][version] = []
    graph["legacy-client"][v(3, 1, 0)] = [Dep("urllib3", v(1, 25), v(1, 27))]
    rng.random()
    return graph, [Dep("boto3"), Dep("legacy-client")]


def wide(n, seed=2, unsat=False):
    rng = random.Random(seed * 1000 + n)
    names = [f"w{i:04d}" for i in range(n)]
    versions = {name: [v(1, minor, 0) for minor in range(rng.randint(20, 50))] for name in names}
    # One consistent choice: a version somewhat below the newest of each.
    solution = {name: vs[max(0, len(vs) - 1 - rng.randint(3, 12))] for name, vs in versions.items()}
    graph = {name: {} for name in names}
    for i, name in enumerate(names):
        later = names[i + 1:]
        for version in versions[name]:
            deps = []
            for other in rng.sample(later, min(len(later), rng.randint(1, 4))):
                target = solution[other]
                if version == solution[name] or version < solution[name]:
                    # Ranges around the solution: the solution's own versions always fit.
                    lower = v(1, max(0, target[1] - rng.randint(0, 6)), 0)
                    upper = v(1, target[1] + rng.randint(1, 4), 0)
                else:
                    # Newer than the solution: wants the newest of `other`, which the
                    # solution does not take, so newest versions conflict.
                    lower = v(1, target[1] + 1, 0)
                    upper = None
                deps.append(Dep(other, lower, upper))
            graph[name][version] = deps
    roots = [Dep(name) for name in names[: max(3, n // 10)]]
    if unsat:
        # Two roots whose every version needs disjoint ranges of one package.
        common = names[-1]
        graph["ua"] = {v(1, k, 0): [Dep(common, None, v(1, 1, 0))] for k in range(20)}
        graph["ub"] = {v(1, k, 0): [Dep(common, v(1, 5, 0))] for k in range(20)}
        roots += [Dep("ua"), Dep("ub")]
    return graph, roots


def pins(_n=None, seed=3):
    rng = random.Random(seed)
    graph = {"pydantic": {}, "pydantic-core": {}, "typing-extensions": {}, "email-validator": {}, "annotated-types": {},
             "fastapi-ish": {}}
    for minor in range(60):
        core = v(2, minor, 0)
        graph["pydantic-core"][core] = [Dep("typing-extensions", v(4, 6 + minor // 20))]
        graph["pydantic"][v(2, minor, 0)] = [Dep("pydantic-core", exact=core), Dep("annotated-types", v(0, 4)),
                                             Dep("typing-extensions", v(4, 6 + minor // 20)),
                                             Dep("email-validator", v(2, 0), extra="email")]
    for minor in range(6, 12):
        graph["typing-extensions"][v(4, minor, 0)] = []
    for version in (v(0, 4, 0), v(0, 5, 0), v(0, 6, 0), v(0, 7, 0)):
        graph["annotated-types"][version] = []
    for version in (v(1, 3, 0), v(2, 0, 0), v(2, 1, 1)):
        graph["email-validator"][version] = []
    # An application pinned to an older core forces an older pair.
    graph["fastapi-ish"][v(0, 100, 0)] = [Dep("pydantic-core", v(2, 20, 0), v(2, 31, 0))]
    rng.random()
    return graph, [Dep("pydantic", extra=None), Dep("fastapi-ish")], ["email"]


def case(name, n=None):
    """(graph, roots, root_extras) for a case name: boto, wide-N, pins, unsat-N."""
    if name == "boto":
        graph, roots = boto()
        return graph, roots, []
    if name == "pins":
        return pins()
    kind, _, size = name.partition("-")
    size = int(size or n or 100)
    if kind == "wide":
        graph, roots = wide(size)
        return graph, roots, []
    if kind == "unsat":
        graph, roots = wide(size, unsat=True)
        return graph, roots, []
    raise SystemExit(f"unknown case {name}")


def root_requirements(roots, extras):
    out = []
    for dep in roots:
        r = dep.requirement()
        if dep.name == "pydantic" and extras:
            r = "pydantic[" + ",".join(extras) + "]" + r[len("pydantic"):]
        out.append(r)
    return out


def make_wheel(name, version, deps):
    """A tiny real wheel: a module, METADATA, WHEEL, RECORD."""
    import base64
    import io
    import zipfile
    escaped = name.replace("-", "_")
    dist_info = f"{escaped}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    for extra in sorted({d.extra for d in deps if d.extra}):
        metadata += f"Provides-Extra: {extra}\n"
    for d in deps:
        metadata += f"Requires-Dist: {d.requirement()}\n"
    files = {f"{escaped}/__init__.py": f"VERSION = {version!r}\n", f"{dist_info}/METADATA": metadata,
             f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nGenerator: uvauth-bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = ""
    for path, content in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(content.encode()).digest()).rstrip(b"=").decode()
        record += f"{path},sha256={digest},{len(content.encode())}\n"
    files[f"{dist_info}/RECORD"] = record + f"{dist_info}/RECORD,,\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for path, content in files.items():
            z.writestr(zipfile.ZipInfo(path, date_time=(2024, 1, 1, 0, 0, 0)), content)
    return buffer.getvalue(), metadata


def write_index(out: Path, graph):
    """PEP 503 pages with PEP 658 metadata files: out/simple/<name>/index.html, out/files/."""
    files = out / "files"
    files.mkdir(parents=True, exist_ok=True)
    for name, releases in graph.items():
        links = []
        for version, deps in sorted(releases.items()):
            wheel, metadata = make_wheel(name, text(version), deps)
            filename = f"{name.replace('-', '_')}-{text(version)}-py3-none-any.whl"
            (files / filename).write_bytes(wheel)
            (files / (filename + ".metadata")).write_text(metadata)
            links.append(f'<a href="../../files/{filename}#sha256={hashlib.sha256(wheel).hexdigest()}" '
                         f'data-core-metadata="sha256={hashlib.sha256(metadata.encode()).hexdigest()}">{filename}</a><br/>')
        page = out / "simple" / name
        page.mkdir(parents=True, exist_ok=True)
        (page / "index.html").write_text("<!DOCTYPE html><html><body>\n" + "\n".join(links) + "\n</body></html>\n")


def check(graph, roots, extras, locked):
    """Problems of a resolution (name -> version tuple): every requirement met, nothing missing."""
    problems = []
    wanted = [(d, "the root") for d in roots]
    for name, version in locked.items():
        if name not in graph or version not in graph[name]:
            problems.append(f"{name}=={text(version)} is no version of the index")
            continue
        asked = extras if name == "pydantic" else []
        wanted += [(d, f"{name}=={text(version)}") for d in graph[name][version] if d.extra is None or d.extra in asked]
    for dep, by in wanted:
        if dep.name not in locked:
            problems.append(f"{by} needs {dep.requirement()}, which is not locked")
        elif not dep.allows(locked[dep.name]):
            problems.append(f"{by} needs {dep.requirement()}, but {dep.name}=={text(locked[dep.name])} is locked")
    return problems


def main():
    out, name = Path(sys.argv[1]), sys.argv[2]
    graph, roots, extras = case(name, int(sys.argv[3]) if len(sys.argv) > 3 else None)
    write_index(out, graph)
    print(" ".join(root_requirements(roots, extras)))


if __name__ == "__main__":
    main()
