#!/usr/bin/env python3
"""The CMake package, tried as a user would: real projects configured (and
built, and tested) with Ninja and Unix Makefiles against the nginx fixture.

  cmake_tests.py CASE     run one case (CTest runs each as cmake.CASE)
  cmake_tests.py --list   the cases

Environment (set by tests/CMakeLists.txt): UVAUTH_TEST_FIXTURE (fixture.json),
UVAUTH_TEST_TOOL, UVAUTH_TEST_BUILD_DIR (a UvAuth build tree),
UVAUTH_TEST_SOURCE_DIR, UVAUTH_TEST_CMAKE, UVAUTH_TEST_CTEST.
Each case works in a fresh temporary directory with its own HOME, cache and
credentials, and reads only its own requests from the access log: its index
URLs live under /tagged/<case>/.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

FIXTURE = json.loads(Path(os.environ.get("UVAUTH_TEST_FIXTURE", "/nonexistent")).read_text()) \
    if os.environ.get("UVAUTH_TEST_FIXTURE") else None
TOOL = os.environ.get("UVAUTH_TEST_TOOL", "")
BUILD_DIR = os.environ.get("UVAUTH_TEST_BUILD_DIR", "")
SOURCE_DIR = os.environ.get("UVAUTH_TEST_SOURCE_DIR", "")
CMAKE = os.environ.get("UVAUTH_TEST_CMAKE", "cmake")
CTEST = os.environ.get("UVAUTH_TEST_CTEST", "ctest")
PASSWORD = FIXTURE["users"]["alice"] if FIXTURE else "alice-S3cret-7f3a"
TIMEOUT = 900


def http_base():
    return f"http://127.0.0.1:{FIXTURE['ports']['http']}"


class Project:
    """A throw-away CMake project and everything around it."""

    def __init__(self, case, root: Path):
        self.case = case
        self.root = root
        self.src = root / "src"
        self.src.mkdir()
        self.home = root / "home"
        self.home.mkdir()
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("UV_", "UVAUTH_", "NETRC", "XDG_", "SSL_"))}
        self.env.update({
            "HOME": str(self.home),
            "XDG_CACHE_HOME": str(root / "xdg-cache"),
            "XDG_DATA_HOME": str(root / "xdg-data"),
            "UV_CREDENTIALS_DIR": str(root / "credentials"),
            "UVAUTH_CACHE_DIR": str(root / "cache"),
        })
        self.outputs = []  # every byte cmake printed, for the secret check
        self.log_start = self._log_size()

    @staticmethod
    def _log_size():
        try:
            return os.path.getsize(FIXTURE["access_log"])
        except (OSError, TypeError):
            return 0

    def private_url(self, tag=None):
        return f"{http_base()}/tagged/{tag or self.case}/private/index-html/simple"

    def public_url(self, tag=None, tree="index-html"):
        return f"{http_base()}/tagged/{tag or self.case}/public/{tree}/simple"

    def write(self, relative, text):
        path = self.src / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def cmakelists(self, body, package="build-tree", minimum="3.20"):
        head = f"cmake_minimum_required(VERSION {minimum})\nproject({self.case.replace('-', '_')} LANGUAGES NONE)\n"
        if package == "build-tree":
            head += "find_package(UvAuth 0.1 REQUIRED)\n"
        self.write("CMakeLists.txt", head + body)

    def netrc(self):
        path = self.home / ".netrc"
        path.write_text(f"machine 127.0.0.1 login alice password {PASSWORD}\n")
        path.chmod(0o600)

    def run(self, args, check=True, env=None, cwd=None):
        result = subprocess.run(args, cwd=cwd or self.root, env=env or self.env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT)
        self.outputs.append(result.stdout)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(map(str, args))} failed ({result.returncode}):\n{result.stdout}")
        return result

    def tool(self, *args, input=None):
        """The uvauth tool itself, as the user would run it next to CMake."""
        result = subprocess.run([TOOL, *args], input=input, env=self.env, text=True, capture_output=True,
                                timeout=TIMEOUT)
        if result.returncode != 0:
            raise AssertionError(f"uvauth {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
        return result

    def configure(self, build="build", generator="Ninja", defines=(), check=True, fresh=False):
        args = [CMAKE, "-S", str(self.src), "-B", str(self.root / build)]
        if not (self.root / build / "CMakeCache.txt").exists() or fresh:
            args += ["-G", generator]
        if BUILD_DIR:
            args.append(f"-DUvAuth_DIR={BUILD_DIR}")
        args += [f"-D{d}" for d in defines]
        return self.run(args, check=check)

    def build(self, build="build", check=True):
        return self.run([CMAKE, "--build", str(self.root / build)], check=check)

    def ctest(self, build="build", check=True):
        return self.run([CTEST, "--test-dir", str(self.root / build), "--output-on-failure", "--timeout", "120"],
                        check=check)

    def requests(self, tag=None, contains=None):
        """This case's requests from the nginx access log: those under
        /tagged/<case>/, or those whose URI contains `contains`."""
        marker = f"/tagged/{tag or self.case}/"
        out = []
        with open(FIXTURE["access_log"]) as log:
            log.seek(self.log_start)
            for line in log:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                uri = entry.get("uri", "")
                if (contains in uri) if contains else uri.startswith(marker):
                    out.append(entry)
        return out

    def assert_no_secret_anywhere(self, test, secrets):
        """Every file under the project (build trees, locks, generated files) and all output."""
        for path in self.root.rglob("*"):
            if not path.is_file() or path.is_symlink():
                continue
            if self.home in path.parents or (self.root / "credentials") in path.parents:
                continue  # where the user keeps credentials on purpose
            data = path.read_bytes()
            for secret in secrets:
                test.assertNotIn(secret.encode(), data, f"secret found in {path}")
        for output in self.outputs:
            for secret in secrets:
                test.assertNotIn(secret, output)


def flat(text):
    """CMake wraps long messages: compare with the whitespace folded."""
    return " ".join(text.split())


def status_lines(output):
    return [line for line in output.splitlines() if "UvAuth:" in line]


class CMakePackageTest(unittest.TestCase):
    def setUp(self):
        if not FIXTURE:
            self.skipTest("UVAUTH_TEST_FIXTURE is not set")
        self.tmp = Path(tempfile.mkdtemp(prefix="uvauth-cmake-"))
        self.p = Project(self.id().split(".")[-1].replace("test_", "").replace("_", "-"), self.tmp)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- the main path: build tree, private index, AUTHENTICATE always, netrc --------------------------

    def check_main_path(self, generator):
        p = self.p
        p.netrc()
        p.write("tools/requirements.txt", "beta<2\n-r more.txt\n")
        p.write("tools/more.txt", "# nothing yet\n")
        p.write("tests/test_alpha.py",
                "import alpha, beta, gamma, subprocess, unittest\n"
                "class T(unittest.TestCase):\n"
                "    def test_versions(self):\n"
                "        self.assertEqual(alpha.VERSION, '1.0')\n"
                "        self.assertEqual(beta.VERSION, '1.0')\n"
                "    def test_console_script_on_path(self):\n"
                "        out = subprocess.run(['alpha-cli'], capture_output=True, text=True, check=True).stdout\n"
                "        self.assertEqual(out.strip(), 'alpha cli 1.0')\n"
                "unittest.main()\n")
        p.write("gen.py", "import sys, alpha\nopen(sys.argv[1], 'w').write('#define ALPHA_VERSION \"%s\"\\n' % alpha.VERSION)\n")
        p.cmakelists(f"""
find_package(Python3 COMPONENTS Interpreter REQUIRED)
uvauth_add_index(corp URL "{p.private_url()}" AUTHENTICATE always DEFAULT)
uvauth_add_requirements(tools
    REQUIREMENTS "alpha[fast]" "gamma; sys_platform == 'linux'" "delta; sys_platform == 'win32'"
    REQUIREMENTS_FILE tools/requirements.txt)
message(STATUS "SITE=${{tools_SITE_DIR}}")
message(STATUS "BIN=${{tools_BIN_DIR}}")
message(STATUS "PACKAGES=${{tools_PACKAGES}}")
uvauth_python_environment(tools tools_env)
add_custom_command(OUTPUT ${{CMAKE_CURRENT_BINARY_DIR}}/alpha_version.h
    COMMAND ${{CMAKE_COMMAND}} -E env ${{tools_env}} ${{Python3_EXECUTABLE}} ${{CMAKE_CURRENT_SOURCE_DIR}}/gen.py
            ${{CMAKE_CURRENT_BINARY_DIR}}/alpha_version.h
    DEPENDS gen.py)
add_custom_target(generate ALL DEPENDS ${{CMAKE_CURRENT_BINARY_DIR}}/alpha_version.h)
enable_testing()
uvauth_add_python_test(NAME py-tests REQUIREMENTS tools
    COMMAND ${{Python3_EXECUTABLE}} ${{CMAKE_CURRENT_SOURCE_DIR}}/tests/test_alpha.py)
""")
        first = p.configure(generator=generator)
        build = p.root / "build"
        self.assertIn("-- UvAuth: tools: resolving", flat(first.stdout))
        self.assertIn("PACKAGES=alpha==1.0;beta==1.0;gamma==1.5", flat(first.stdout))  # delta: its marker is false
        site = build / "_uvauth" / "tools" / "site"
        self.assertIn(f"SITE={site}", flat(first.stdout))
        self.assertIn(f"BIN={site}/bin", flat(first.stdout))
        self.assertTrue((site / "alpha" / "__init__.py").exists())
        self.assertFalse((site / "delta").exists())
        lock = p.src / "pylock.tools.toml"
        self.assertTrue(lock.exists())
        self.assertIn("name = 'gamma'", lock.read_text())
        # AUTHENTICATE always: not one request left without credentials.
        requests = p.requests()
        self.assertTrue(requests)
        self.assertEqual([r for r in requests if r["auth"] != "basic"], [])
        self.assertTrue(all(str(r["status"]) == "200" for r in requests), requests)

        p.build()
        self.assertIn('"1.0"', (build / "alpha_version.h").read_text())
        tested = p.ctest()
        self.assertIn("100% tests passed", flat(tested.stdout))

        # Nothing changed: no process, no request, no status line.
        before = len(p.requests())
        again = p.configure()
        self.assertEqual(status_lines(again.stdout), [])
        self.assertEqual(len(p.requests()), before)

        # An edited requirements file -- here one included with -r -- reruns configure from the build.
        p.write("tools/more.txt", "epsilon\n")
        rebuilt = p.build()
        self.assertIn("UvAuth: tools: resolving", flat(rebuilt.stdout))
        self.assertIn("epsilon", lock.read_text())
        self.assertTrue((site / "epsilon" / "__init__.py").exists())
        p.assert_no_secret_anywhere(self, [PASSWORD])

    def test_main_path_ninja(self):
        self.check_main_path("Ninja")

    def test_main_path_makefiles(self):
        self.check_main_path("Unix Makefiles")

    # -- credentials from each source, secrets nowhere ---------------------------------------------------

    def check_credentials(self, source):
        p = self.p
        env_password = PASSWORD
        if source == "netrc":
            p.netrc()
        elif source == "env":
            p.env["UV_INDEX_CORP_USERNAME"] = "alice"
            p.env["UV_INDEX_CORP_PASSWORD"] = env_password
        elif source == "store":
            p.tool("auth", "login", p.private_url(), "--username", "alice", "--password", "-", input=PASSWORD + "\n")
        helper = ""
        if source == "helper":
            import base64
            token = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
            (p.home / "token").write_text(json.dumps({"headers": {"Authorization": ["Basic " + token]}}))
            p.write("tools/helper.sh", f"#!/bin/sh\ncat > /dev/null\ncat '{p.home / 'token'}'\n")
            (p.src / "tools" / "helper.sh").chmod(0o755)
            helper = "CREDENTIAL_HELPER tools/helper.sh"
        p.cmakelists(f"""
uvauth_add_index(corp URL "{p.private_url()}" AUTHENTICATE always DEFAULT {helper})
uvauth_add_requirements(tools REQUIREMENTS alpha)
""")
        # Verbose first: the second configure answers from pages still fresh
        # in the cache (10 minutes, as uv), with no request to show.
        for verbose in ("ON", "OFF"):
            shutil.rmtree(p.root / "build", ignore_errors=True)
            out = p.configure(defines=[f"UVAUTH_VERBOSE={verbose}"])
            self.assertIn("alpha", (p.src / "pylock.tools.toml").read_text())
            if verbose == "ON":  # the tool's debug lines show, with the user but not the password
                self.assertIn("debug: GET ", flat(out.stdout))
                self.assertIn("1 header from a credential helper" if source == "helper" else "user 'alice'", flat(out.stdout))
        requests = p.requests()
        self.assertTrue(requests)
        self.assertEqual([r for r in requests if r["auth"] != "basic" or r["user"] != "alice"], [])
        p.assert_no_secret_anywhere(self, [PASSWORD])

    def test_credentials_from_netrc(self):
        self.check_credentials("netrc")

    def test_credentials_from_env(self):
        self.check_credentials("env")

    def test_credentials_from_a_credential_helper(self):
        self.check_credentials("helper")
        # CMake saw the helper's path, never its answer.
        cache = (self.p.root / "build" / "CMakeCache.txt").read_text()
        generated = (self.p.root / "build" / "_uvauth" / "tools" / "uvauth.toml").read_text()
        self.assertIn(f'credential-helper = "{self.p.src / "tools" / "helper.sh"}"', generated)
        token_text = (self.p.home / "token").read_text()
        self.assertNotIn(token_text[30:60], cache + generated)

    def test_credentials_from_store(self):
        self.check_credentials("store")

    def test_always_without_credentials_sends_nothing_and_fails_clearly(self):
        p = self.p
        p.cmakelists(f"""
uvauth_add_index(corp URL "{p.private_url()}" AUTHENTICATE always DEFAULT)
uvauth_add_requirements(tools REQUIREMENTS alpha)
""")
        out = p.configure(check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("uvauth_add_requirements(tools): locking failed", flat(out.stdout))
        self.assertIn("Missing credentials", flat(out.stdout))
        self.assertEqual(p.requests(), [])

    def test_password_in_url_is_a_configure_error(self):
        p = self.p
        url = p.private_url().replace("http://", f"http://alice:{PASSWORD}@")
        p.cmakelists(f'uvauth_add_index(corp URL "{url}")\n')
        out = p.configure(check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("holds a password", flat(out.stdout))
        self.assertIn("UV_INDEX_CORP_USERNAME", flat(out.stdout))
        self.assertIn("netrc", flat(out.stdout))
        self.assertIn("uvauth auth login", flat(out.stdout))
        self.assertIn("alice:****@", flat(out.stdout))
        self.assertNotIn(PASSWORD, flat(out.stdout))
        self.assertNotIn(PASSWORD, (p.root / "build" / "CMakeCache.txt").read_text())

    # -- the lock: created, reused, stale with LOCKED, FROZEN offline ------------------------------------

    def test_lock_created_reused_and_stale_with_locked(self):
        p = self.p
        body = f"""
uvauth_add_index(pub URL "{p.public_url()}" DEFAULT)
uvauth_add_requirements(tools REQUIREMENTS ${{REQS}} ${{MODE}})
"""
        p.cmakelists(body)
        p.configure(defines=["REQS=delta==1.0"])
        lock = p.src / "pylock.tools.toml"
        first = lock.read_bytes()
        self.assertIn(b"version = '1.0'", first)
        # A fresh build tree with LOCKED: the lock is current, so it is used as it is.
        out = p.configure(build="b2", defines=["REQS=delta==1.0", "MODE=LOCKED"])
        self.assertIn("is up to date", flat(out.stdout))
        self.assertEqual(lock.read_bytes(), first)
        # Looser requirements re-lock, keeping the pin: delta stays 1.0 though 1.1 exists,
        # and a lock whose packages are the same is not rewritten.
        out = p.configure(build="b2", defines=["REQS=delta", "MODE="])
        self.assertIn("is up to date", flat(out.stdout))
        self.assertIn(b"version = '1.0'", lock.read_bytes())
        self.assertEqual(lock.read_bytes(), first)
        first = lock.read_bytes()
        # Requirements changed, LOCKED: a configure error naming what would change.
        out = p.configure(build="b3", defines=["REQS=delta;epsilon", "MODE=LOCKED"], check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("out of date", flat(out.stdout))
        self.assertIn("Added epsilon v0.1", flat(out.stdout))
        self.assertIn("hint:", flat(out.stdout))
        self.assertEqual(lock.read_bytes(), first)
        # LOCKED with no lock at all.
        lock.unlink()
        out = p.configure(build="b4", defines=["REQS=delta", "MODE=LOCKED"], check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("does not exist", flat(out.stdout))

    def test_universal_lock_by_default_accepted_on_two_targets(self):
        p = self.p
        body = f"""
uvauth_add_index(pub URL "{p.public_url()}" DEFAULT)
uvauth_add_requirements(tools REQUIREMENTS ${{REQS}} "delta; sys_platform == 'win32'" ${{MODE}} ${{CROSS}})
message(STATUS "PACKAGES=${{tools_PACKAGES}}")
"""
        p.cmakelists(body)
        p.configure(defines=["REQS=alpha"])
        lock = p.src / "pylock.tools.toml"
        first = lock.read_text()
        # One lock for every machine: no interpreter in it, delta kept with its marker.
        self.assertIn("target = 'universal (requires-python >=3.11)'", first)
        self.assertNotIn("platform_machine", first)
        self.assertIn("marker = 'sys_platform == \"win32\"'", first)
        # LOCKED on this interpreter (a new build tree) and on a cross target: the same lock, untouched.
        out = p.configure(build="here", defines=["REQS=alpha", "MODE=LOCKED"])
        self.assertIn("is up to date", flat(out.stdout))
        self.assertIn("PACKAGES=alpha==1.0;beta==2.0;gamma==1.5", flat(out.stdout))
        out = p.configure(build="mac", defines=["REQS=alpha", "MODE=LOCKED",
                                                "CROSS=PYTHON_VERSION;3.12;PYTHON_PLATFORM;aarch64-apple-darwin"])
        self.assertIn("is up to date", flat(out.stdout))
        self.assertIn("PACKAGES=alpha==1.0;beta==2.0;gamma==1.5", flat(out.stdout))
        out = p.configure(build="win", defines=["REQS=alpha", "MODE=LOCKED",
                                                "CROSS=PYTHON_VERSION;3.12;PYTHON_PLATFORM;windows"])
        self.assertIn("PACKAGES=alpha==1.0;beta==2.0;delta==1.1;gamma==1.5", flat(out.stdout))
        self.assertTrue((p.root / "win" / "_uvauth" / "tools" / "site" / "delta").is_dir())
        self.assertEqual(lock.read_text(), first)
        # Stale (the requirements changed) under LOCKED, from the cross target too: what would change.
        out = p.configure(build="mac", defines=["REQS=alpha;epsilon", "MODE=LOCKED"], check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("out of date", flat(out.stdout))
        self.assertIn("Added epsilon v0.1", flat(out.stdout))
        self.assertEqual(lock.read_text(), first)

    def test_environments_target_only_and_relocking_a_single_target_lock(self):
        p = self.p
        body = f"""
uvauth_add_index(pub URL "{p.public_url()}" DEFAULT)
uvauth_add_requirements(tools REQUIREMENTS ${{REQS}} ${{MODE}})
message(STATUS "PACKAGES=${{tools_PACKAGES}}")
"""
        p.cmakelists(body)
        lock = p.src / "pylock.tools.toml"
        # TARGET_ONLY: today's single-target lock, for this interpreter.
        p.configure(defines=["REQS=delta==1.0", "MODE=TARGET_ONLY"])
        self.assertIn("platform_machine", lock.read_text())
        # Without TARGET_ONLY but LOCKED: refused, saying how to update it.
        out = p.configure(build="b2", defines=["REQS=delta", "MODE=LOCKED"], check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("single-target lock", flat(out.stdout))
        self.assertIn("a universal one is asked for", flat(out.stdout))
        self.assertIn("remove LOCKED", flat(out.stdout))
        # FROZEN installs it as it is, with a warning.
        out = p.configure(build="b3", defines=["REQS=delta", "MODE=FROZEN"])
        self.assertIn("is a single-target lock", flat(out.stdout))
        # Plain: re-locked universally once, keeping the pin (1.1 exists).
        out = p.configure(build="b4", defines=["REQS=delta", "MODE="])
        text = lock.read_text()
        self.assertIn("target = 'universal", text)
        self.assertIn("version = '1.0'", text)
        out = p.configure(build="b4", defines=["REQS=delta", "MODE=LOCKED"])
        self.assertIn("is up to date", flat(out.stdout))
        # ENVIRONMENTS narrow the lock; UVAUTH_ENVIRONMENTS is the project's default.
        out = p.configure(build="b5", defines=["REQS=delta", "MODE=ENVIRONMENTS;sys_platform == 'linux'"])
        self.assertIn("environments = [ \"sys_platform == 'linux'\" ]", lock.read_text().replace("'", "'"))
        out = p.configure(build="b6", defines=["REQS=delta", "MODE=", "UVAUTH_ENVIRONMENTS=sys_platform == 'linux'"])
        self.assertIn("is up to date", flat(out.stdout))
        # A required environment outside them: a configure error naming it.
        out = p.configure(build="b7", defines=["REQS=delta", "MODE=REQUIRED_ENVIRONMENTS;sys_platform == 'darwin'",
                                               "UVAUTH_ENVIRONMENTS=sys_platform == 'linux'"], check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("sys_platform == 'darwin'", flat(out.stdout))
        # TARGET_ONLY with ENVIRONMENTS: an argument error.
        out = p.configure(build="b8", defines=["REQS=delta", "MODE=TARGET_ONLY;ENVIRONMENTS;os_name == 'posix'"], check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("TARGET_ONLY locks for one target", flat(out.stdout))

    def test_frozen_installs_offline_from_the_cache(self):
        p = self.p
        p.cmakelists(f"""
uvauth_add_index(pub URL "{p.public_url()}" DEFAULT)
uvauth_add_requirements(tools REQUIREMENTS alpha ${{MODE}})
message(STATUS "PACKAGES=${{tools_PACKAGES}}")
""")
        p.configure()
        before = len(p.requests())
        out = p.configure(build="frozen", defines=["MODE=FROZEN", "UVAUTH_OFFLINE=ON"])
        self.assertIn("PACKAGES=alpha==1.0;beta==2.0", flat(out.stdout))
        self.assertNotIn("resolving", flat(out.stdout))
        self.assertTrue((p.root / "frozen" / "_uvauth" / "tools" / "site" / "alpha").is_dir())
        self.assertEqual(len(p.requests()), before)
        # FROZEN without a lock.
        (p.src / "pylock.tools.toml").unlink()
        out = p.configure(build="frozen2", defines=["MODE=FROZEN"], check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("FROZEN needs the lock", flat(out.stdout))
        # Offline with nothing cached: CMake's advice, not the tool's flag.
        shutil.rmtree(p.root / "cache", ignore_errors=True)
        out = p.configure(build="offline", defines=["MODE=", "UVAUTH_OFFLINE=ON"], check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("-DUVAUTH_OFFLINE=OFF", flat(out.stdout))
        self.assertNotIn("without --offline", flat(out.stdout))

    def test_edited_lock_reinstalls(self):
        p = self.p
        p.cmakelists(f"""
uvauth_add_index(pub URL "{p.public_url()}" DEFAULT)
uvauth_add_requirements(tools FROZEN LOCKFILE locks/tools.toml)
""")
        # A lock made by the tool, committed in another place (LOCKFILE).
        (p.src / "locks").mkdir()

        def lock(requirement):
            p.tool("--no-config", "lock", requirement, "--default-index", p.public_url(),
                   "-o", str(p.src / "locks" / "tools.toml"))

        lock("delta==1.0")
        p.configure()
        site = p.root / "build" / "_uvauth" / "tools" / "site"
        self.assertTrue((site / "delta-1.0.dist-info").is_dir())
        lock("delta==1.1")
        out = p.build()  # the lock is a configure dependency
        self.assertIn("UvAuth: tools: installing", flat(out.stdout))
        self.assertTrue((site / "delta-1.1.dist-info").is_dir())
        self.assertFalse((site / "delta-1.0.dist-info").exists())

    def test_deleted_target_is_reinstalled(self):
        p = self.p
        p.cmakelists(f"""
uvauth_add_index(pub URL "{p.public_url()}" DEFAULT)
uvauth_add_requirements(tools REQUIREMENTS gamma)
""")
        p.configure()
        site = p.root / "build" / "_uvauth" / "tools" / "site"
        shutil.rmtree(site)
        out = p.configure()
        self.assertIn("UvAuth: tools: installing", flat(out.stdout))
        self.assertTrue((site / "gamma").is_dir())

    # -- several sets, pyproject, index kinds ---------------------------------------------------------

    def test_two_sets_and_a_test_using_both(self):
        p = self.p
        p.write("t.py", "import alpha, kappa, sys\nprint(alpha.VERSION, kappa.VERSION)\n")
        p.cmakelists(f"""
find_package(Python3 COMPONENTS Interpreter REQUIRED)
uvauth_add_index(pub URL "{p.public_url()}" DEFAULT)
uvauth_add_requirements(first REQUIREMENTS alpha)
uvauth_add_requirements(second REQUIREMENTS "kappa; python_version >= '3'" TARGET_DIR pydeps/second)
message(STATUS "FIRST=${{first_PACKAGES}}")
message(STATUS "SECOND=${{second_PACKAGES}} AT ${{second_SITE_DIR}}")
enable_testing()
uvauth_add_python_test(NAME both REQUIREMENTS first second COMMAND ${{Python3_EXECUTABLE}} ${{CMAKE_CURRENT_SOURCE_DIR}}/t.py
                       WORKING_DIRECTORY ${{CMAKE_CURRENT_BINARY_DIR}})
""")
        out = p.configure(generator="Unix Makefiles")
        self.assertIn("FIRST=alpha==1.0;beta==2.0", flat(out.stdout))
        self.assertIn(f"SECOND=kappa==1.0 AT {p.root / 'build' / 'pydeps' / 'second'}", flat(out.stdout))
        self.assertTrue((p.src / "pylock.first.toml").exists())
        self.assertTrue((p.src / "pylock.second.toml").exists())
        self.assertIn("100% tests passed", p.ctest().stdout)

    def test_outputs_stamp_target_and_python_rerun_a_generator(self):
        p = self.p
        p.write("gen.py", "import sys, beta\nopen(sys.argv[1], 'w').write('#define BETA \"%s\"\\n' % beta.VERSION)\n")
        p.cmakelists(f"""
uvauth_add_index(pub URL "{p.public_url()}" DEFAULT)
uvauth_add_requirements(tools REQUIREMENTS ${{REQS}})
message(STATUS "PYTHON=${{tools_PYTHON}}")
message(STATUS "STAMP=${{tools_STAMP}}")
uvauth_python_environment(tools tools_env)
add_custom_command(OUTPUT ${{CMAKE_CURRENT_BINARY_DIR}}/beta.h
    COMMAND ${{CMAKE_COMMAND}} -E env ${{tools_env}} ${{tools_PYTHON}} ${{CMAKE_CURRENT_SOURCE_DIR}}/gen.py
            ${{CMAKE_CURRENT_BINARY_DIR}}/beta.h
    DEPENDS gen.py ${{tools_STAMP}})
add_custom_target(generate ALL DEPENDS ${{CMAKE_CURRENT_BINARY_DIR}}/beta.h)
add_dependencies(generate uvauth_tools)
""")
        out = p.configure(defines=["REQS=beta<2"])
        python = re.search(r"PYTHON=(\S+)", out.stdout).group(1)
        self.assertTrue(Path(python).exists(), out.stdout)
        stamp = Path(re.search(r"STAMP=(\S+)", out.stdout).group(1))
        self.assertTrue(stamp.exists(), out.stdout)
        self.assertIn("UvAuth: tools: Added beta v1.0", flat(out.stdout))
        self.assertIn("UvAuth: tools: + beta==1.0", flat(out.stdout))
        p.build()
        self.assertIn('"1.0"', (p.root / "build" / "beta.h").read_text())
        self.assertIn("no work to do", p.build().stdout)
        # The set changes: the generator reruns on the next build, without a manual step.
        out = p.configure(defines=["REQS=beta>=2"])
        self.assertIn("UvAuth: tools: Updated beta v1.0 -> v2.0", flat(out.stdout))
        self.assertIn("UvAuth: tools: - beta==1.0", flat(out.stdout))
        self.assertIn("UvAuth: tools: + beta==2.0", flat(out.stdout))
        p.build()
        self.assertIn('"2.0"', (p.root / "build" / "beta.h").read_text())
        self.assertIn("no work to do", p.build().stdout)

    def test_environment_is_prepended_at_build_and_test_time(self):
        p = self.p
        p.write("show.py", "import os, sys, alpha\nprint('PATH=' + os.environ['PATH'])\nprint('PYTHONPATH=' + os.environ['PYTHONPATH'])\n")
        p.cmakelists(f"""
uvauth_add_index(pub URL "{p.public_url()}" DEFAULT)
uvauth_add_requirements(tools REQUIREMENTS alpha)
uvauth_python_environment(tools tools_env)
add_custom_target(show ALL COMMAND ${{CMAKE_COMMAND}} -E env ${{tools_env}} ${{tools_PYTHON}} ${{CMAKE_CURRENT_SOURCE_DIR}}/show.py)
enable_testing()
uvauth_add_python_test(NAME show REQUIREMENTS tools COMMAND ${{tools_PYTHON}} ${{CMAKE_CURRENT_SOURCE_DIR}}/show.py)
""")
        p.configure()
        site = p.root / "build" / "_uvauth" / "tools" / "site"
        later = dict(p.env)
        later["PATH"] = "/opt/added-after-configure:" + later["PATH"]
        later["PYTHONPATH"] = "/opt/theirs"
        built = p.run([CMAKE, "--build", str(p.root / "build")], env=later)
        self.assertIn(f"PATH={site}/bin:/opt/added-after-configure:", built.stdout)
        self.assertIn(f"PYTHONPATH={site}:/opt/theirs", built.stdout)
        tested = p.run([CTEST, "--test-dir", str(p.root / "build"), "-V"], env=later)
        self.assertIn(f"PATH={site}/bin:/opt/added-after-configure:", tested.stdout)
        self.assertIn(f"PYTHONPATH={site}:/opt/theirs", tested.stdout)

    def test_requirements_from_a_list_variable(self):
        p = self.p
        p.cmakelists(f"""
uvauth_add_index(pub URL "{p.public_url()}" DEFAULT)
set(REQS "gamma" "delta; sys_platform == 'win32'" "epsilon; python_version >= '3'")
uvauth_add_requirements(unquoted REQUIREMENTS ${{REQS}})
uvauth_add_requirements(quoted REQUIREMENTS "${{REQS}}")
message(STATUS "UNQUOTED=${{unquoted_PACKAGES}}")
message(STATUS "QUOTED=${{quoted_PACKAGES}}")
""")
        out = p.configure()
        self.assertIn("UNQUOTED=epsilon==0.1;gamma==1.5", flat(out.stdout))
        self.assertIn("QUOTED=epsilon==0.1;gamma==1.5", flat(out.stdout))
        p.cmakelists(f"""
uvauth_add_index(pub URL "{p.public_url()}" DEFAULT)
uvauth_add_requirements(bad REQUIREMENTS "gamma>>1")
""")
        bad = p.configure(build="b2", check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("REQUIREMENTS of uvauth_add_requirements(bad), item 1", flat(bad.stdout))
        self.assertNotIn("_uvauth/bad/requirements.txt", bad.stdout)

    def test_sets_that_pin_one_package_differently_cannot_share_a_test(self):
        p = self.p
        p.cmakelists(f"""
uvauth_add_index(pub URL "{p.public_url()}" DEFAULT)
uvauth_add_requirements(a REQUIREMENTS "beta<2")
uvauth_add_requirements(b REQUIREMENTS "beta>=2")
enable_testing()
uvauth_add_python_test(NAME both REQUIREMENTS a b COMMAND true)
""")
        out = p.configure(check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("the sets 'a' and 'b' conflict: 'a' pins beta==1.0 and 'b' pins beta==2.0", flat(out.stdout))
        self.assertIn("CMakeLists.txt:9 (uvauth_add_python_test)", flat(out.stdout))

    def test_locked_and_frozen_from_the_cache_or_the_environment(self):
        p = self.p
        p.cmakelists(f"""
uvauth_add_index(pub URL "{p.public_url()}" DEFAULT)
uvauth_add_requirements(tools REQUIREMENTS ${{REQS}})
message(STATUS "PACKAGES=${{tools_PACKAGES}}")
""")
        p.configure(defines=["REQS=delta"])
        lock = p.src / "pylock.tools.toml"
        first = lock.read_bytes()
        out = p.configure(build="b2", defines=["REQS=delta;epsilon", "UVAUTH_LOCKED=ON"], check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("out of date: Added epsilon v0.1", flat(out.stdout))
        self.assertIn("configure once with -DUVAUTH_LOCKED=OFF", flat(out.stdout))
        self.assertNotIn("without --locked", flat(out.stdout))
        self.assertEqual(lock.read_bytes(), first)
        env = dict(p.env, UV_LOCKED="1")
        out = p.run([CMAKE, "-S", str(p.src), "-B", str(p.root / "b3"), "-G", "Ninja", f"-DUvAuth_DIR={BUILD_DIR}",
                     "-DREQS=delta;epsilon"], env=env, check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("without UV_LOCKED in the environment", flat(out.stdout))
        # FROZEN: the lock as it is, though the requirements say more.
        env = dict(p.env, UV_FROZEN="1")
        out = p.run([CMAKE, "-S", str(p.src), "-B", str(p.root / "b4"), "-G", "Ninja", f"-DUvAuth_DIR={BUILD_DIR}",
                     "-DREQS=delta;epsilon"], env=env)
        self.assertIn("PACKAGES=delta==1.1", flat(out.stdout))
        self.assertNotIn("resolving", out.stdout)
        out = p.configure(build="b5", defines=["REQS=delta;epsilon", "UVAUTH_FROZEN=ON"])
        self.assertIn("PACKAGES=delta==1.1", flat(out.stdout))
        self.assertEqual(lock.read_bytes(), first)

    def test_the_module_sets_its_own_policies(self):
        # An old minimum version leaves CMP0057 (IN_LIST) unset for the project;
        # the module's functions still work: they are defined under its own policies.
        p = self.p
        p.cmakelists(f"""
uvauth_add_index(pub URL "{p.public_url()}" DEFAULT)
uvauth_add_requirements(tools REQUIREMENTS gamma)
message(STATUS "PACKAGES=${{tools_PACKAGES}}")
if(POLICY CMP0057)
  cmake_policy(GET CMP0057 after)
  message(STATUS "CALLER_CMP0057=${{after}}")
endif()
""", minimum="3.2")
        out = p.configure()
        self.assertIn("PACKAGES=gamma==1.5", flat(out.stdout))
        self.assertIn("CALLER_CMP0057=", flat(out.stdout))
        self.assertNotIn("CALLER_CMP0057=NEW", flat(out.stdout))  # POP gave the caller its own settings back

    def test_the_readme_example_works_as_written(self):
        p = self.p
        p.netrc()
        readme = Path(SOURCE_DIR, "README.md").read_text()
        section = readme[readme.index("## The CMake package"):]
        example = section[section.index("```cmake\n") + 9:]
        example = example[:example.index("```")]
        # The only edits: the index URL, and packages this fixture has instead of jinja2 and pyyaml.
        example = example.replace("https://pypi.corp.example/simple", p.private_url())
        example = example.replace('"jinja2>=3"', '"alpha>=1"').replace("pyyaml; sys_platform", "gamma; sys_platform")
        p.write("tools/requirements.txt", "beta\n")
        p.write("gen.py", "import sys, alpha\nopen(sys.argv[1], 'w').write('#define ALPHA \"%s\"\\n' % alpha.VERSION)\n")
        p.write("tests/python/test_it.py", "import unittest, alpha, gamma\nclass T(unittest.TestCase):\n"
                "    def test_it(self):\n        self.assertEqual(alpha.VERSION, '1.0')\n")
        p.write("CMakeLists.txt", "cmake_minimum_required(VERSION 3.25)\nproject(readme LANGUAGES NONE)\n" + example)
        out = p.configure()
        self.assertIn("UvAuth: devtools: Added alpha v1.0", flat(out.stdout))
        p.build()
        self.assertIn('"1.0"', (p.root / "build" / "gen.hpp").read_text())
        self.assertIn("100% tests passed", flat(p.ctest().stdout))
        p.assert_no_secret_anywhere(self, [PASSWORD])

    def test_pyproject_with_groups_indexes_and_sources(self):
        p = self.p
        p.netrc()
        p.write("pyproject.toml", f"""
[project]
name = "demo"
version = "0"
dependencies = ["alpha"]

[dependency-groups]
dev = ["gamma"]
docs = ["epsilon"]

[[tool.uv.index]]
name = "second"
url = "{http_base()}/tagged/{p.case}/public/second-index-html/simple"
explicit = true

[tool.uv.sources]
iota = {{ index = "second" }}
""")
        p.cmakelists(f"""
uvauth_add_index(corp URL "{p.private_url()}" AUTHENTICATE always DEFAULT)
uvauth_add_requirements(py PYPROJECT pyproject.toml GROUPS docs REQUIREMENTS iota)
message(STATUS "PACKAGES=${{py_PACKAGES}}")
""")
        out = p.configure()
        # beta 2.0 from the default index: the explicit index serves only iota.
        self.assertIn("PACKAGES=alpha==1.0;beta==2.0;epsilon==0.1;gamma==1.5;iota==1.0", flat(out.stdout))
        pages = [r["uri"] for r in p.requests() if "/second-index-html/simple/" in r["uri"]]
        self.assertEqual(pages, [f"/tagged/{p.case}/public/second-index-html/simple/iota/"])
        self.assertTrue(all(r["auth"] == "basic" for r in p.requests() if "/private/" in r["uri"]))
        # The pyproject is a configure dependency.
        text = (p.src / "pyproject.toml").read_text().replace('docs = ["epsilon"]', 'docs = ["zeta"]')
        (p.src / "pyproject.toml").write_text(text)
        out = p.build()
        self.assertIn("UvAuth: py: resolving", flat(out.stdout))

    def test_in_tree_packages_by_path_and_editable(self):
        p = self.p
        p.netrc()
        p.write("python/gen/pyproject.toml",
                '[build-system]\nrequires = ["flit_core>=3.4"]\nbuild-backend = "flit_core.buildapi"\n\n'
                '[project]\nname = "gen"\nversion = "0.1"\ndescription = "in-tree generator"\ndependencies = ["bdep"]\n')
        p.write("python/gen/gen.py", '"""The generator."""\nVALUE = "one"\n')
        p.write("python/lib2/pyproject.toml",
                '[build-system]\nrequires = ["setuptools>=40.8.0", "wheel"]\nbuild-backend = "setuptools.build_meta"\n')
        p.write("python/lib2/setup.cfg", "[metadata]\nname = lib2\nversion = 3.0\n[options]\npy_modules = lib2\n")
        p.write("python/lib2/lib2.py", "VALUE = 'lib2'\n")
        p.write("check.py", "import sys, gen, lib2, bdep\nopen(sys.argv[1], 'w').write(gen.VALUE + ' ' + lib2.VALUE)\n")
        index = f"{http_base()}/tagged/{p.case}/private/build/simple"
        p.cmakelists(f"""
find_package(Python3 COMPONENTS Interpreter REQUIRED)
uvauth_add_index(corp URL "{index}" AUTHENTICATE always DEFAULT)
uvauth_add_requirements(tools EDITABLE python/gen REQUIREMENTS "lib2 @ ${{CMAKE_CURRENT_SOURCE_DIR}}/python/lib2")
message(STATUS "PACKAGES=${{tools_PACKAGES}}")
enable_testing()
uvauth_add_python_test(NAME check REQUIREMENTS tools
    COMMAND ${{Python3_EXECUTABLE}} ${{CMAKE_CURRENT_SOURCE_DIR}}/check.py ${{CMAKE_CURRENT_BINARY_DIR}}/out.txt)
""")
        first = p.configure()
        self.assertIn("PACKAGES=bdep==1.0;gen==0.1;lib2==3.0", flat(first.stdout))
        lock = (p.src / "pylock.tools.toml").read_text()
        self.assertIn("[packages.directory]", lock)
        self.assertIn("path = 'python/gen'", lock)
        self.assertIn("editable = true", lock)
        self.assertIn("path = 'python/lib2'", lock)
        self.assertEqual([r for r in p.requests() if r["auth"] != "basic"], [])  # backends included
        p.build()
        p.ctest()
        self.assertEqual((p.root / "build" / "out.txt").read_text(), "one lib2")
        # An edit of the editable project is seen without reconfiguring.
        p.write("python/gen/gen.py", '"""The generator."""\nVALUE = "two"\n')
        p.ctest()
        self.assertEqual((p.root / "build" / "out.txt").read_text(), "two lib2")
        # A no-op reconfigure: no process, no request, no status line, within the budget.
        before = len(p.requests())
        start = time.monotonic()
        again = p.configure()
        elapsed = time.monotonic() - start
        self.assertEqual(status_lines(again.stdout), [])
        self.assertEqual(len(p.requests()), before)
        self.assertLess(elapsed, 5.0)
        # Editing the project's pyproject.toml reconfigures from the build.
        p.write("python/gen/pyproject.toml",
                '[build-system]\nrequires = ["flit_core>=3.4"]\nbuild-backend = "flit_core.buildapi"\n\n'
                '[project]\nname = "gen"\nversion = "0.2"\ndescription = "in-tree generator"\ndependencies = ["bdep"]\n')
        rebuilt = p.build()
        self.assertIn("UvAuth: tools: resolving", flat(rebuilt.stdout))
        self.assertIn("version = '0.2'", (p.src / "pylock.tools.toml").read_text())
        p.assert_no_secret_anywhere(self, [PASSWORD])

    def test_git_requirements_pinned_and_no_op(self):
        """Git requirements from REQUIREMENTS, a requirements file and a pyproject's
        [tool.uv.sources]; the lock pins the commits; a reconfigure after the branch
        moved is a no-op that asks the Git server nothing; a new build tree with the
        committed lock installs the locked commits."""
        p = self.p
        p.netrc()
        git_exe = shutil.which("git")
        if not git_exe:
            self.fail("git is not on PATH")
        repo_name = f"cmake-{p.case}-{os.getpid()}.git"
        bare = Path(FIXTURE["git_root"]) / repo_name
        work = p.root / "repo-src"

        def git(*args):
            subprocess.run([git_exe, "-c", "user.email=t@example.invalid", "-c", "user.name=t", *args], cwd=work,
                           check=True, capture_output=True, timeout=60)

        def publish():
            git("push", "-q", "--force", "--tags", str(bare), "main")

        flit = '[build-system]\nrequires = ["flit_core>=3.2"]\nbuild-backend = "flit_core.buildapi"\n'
        (work / "gitpkg").mkdir(parents=True)
        (work / "pyproject.toml").write_text(flit + '[project]\nname = "gitpkg"\nversion = "1.0"\ndescription = "x"\n')
        (work / "gitpkg" / "__init__.py").write_text("VALUE = 'one'\n")
        (work / "sub" / "subpkg").mkdir(parents=True)
        (work / "sub" / "pyproject.toml").write_text(flit + '[project]\nname = "subpkg"\nversion = "2.0"\ndescription = "x"\n')
        (work / "sub" / "subpkg" / "__init__.py").write_text("VALUE = 'sub-one'\n")
        git("init", "-q", "-b", "main")
        git("add", "-A")
        git("commit", "-qm", "one")
        git("tag", "v1.0")
        subprocess.run([git_exe, "init", "-q", "--bare", str(bare)], check=True, capture_output=True, timeout=60)
        publish()
        self.addCleanup(shutil.rmtree, bare, True)

        # A git first on PATH that records every argv.
        bindir = p.root / "bin"
        bindir.mkdir()
        argv_log = p.root / "git-argv.log"
        (bindir / "git").write_text(f"#!/bin/sh\nprintf '%s\\n' \"$*\" >> {argv_log}\nexec {git_exe} \"$@\"\n")
        (bindir / "git").chmod(0o755)
        p.env["PATH"] = f"{bindir}{os.pathsep}{p.env.get('PATH', '')}"

        url = f"{http_base()}/git/{repo_name}"
        p.write("requirements.txt", f"subpkg @ git+{url}@main#subdirectory=sub\n")
        p.write("pyproject.toml", f"""
[project]
name = "demo"
version = "0"
dependencies = ["gitpkg"]

[tool.uv.sources]
gitpkg = {{ git = "{url}", branch = "main" }}
""")
        index = f"{http_base()}/tagged/{p.case}/private/build/simple"
        p.cmakelists(f"""
uvauth_add_index(corp URL "{index}" AUTHENTICATE always DEFAULT)
uvauth_add_requirements(tools REQUIREMENTS "gitpkg @ git+{url}@v1.0" REQUIREMENTS_FILE requirements.txt)
uvauth_add_requirements(proj PYPROJECT pyproject.toml)
message(STATUS "TOOLS=${{tools_PACKAGES}}")
message(STATUS "PROJ=${{proj_PACKAGES}}")
""")

        def git_requests():
            return p.requests(contains=f"/{repo_name}/")

        def installed(build, subset, module):
            site = p.root / build / "_uvauth" / subset / "site"
            result = subprocess.run([sys.executable, "-c", f"import {module}; print({module}.VALUE)"], text=True,
                                    capture_output=True, env={**os.environ, "PYTHONPATH": str(site)}, timeout=60)
            self.assertEqual(result.returncode, 0, result.stderr)
            return result.stdout.strip()

        first = p.configure()
        self.assertIn("TOOLS=gitpkg==1.0;subpkg==2.0", flat(first.stdout))
        self.assertIn("PROJ=gitpkg==1.0", flat(first.stdout))
        self.assertNotIn("waiting for another process", first.stdout)  # two requirements, one repository, one process
        commit_one = subprocess.run([git_exe, "rev-parse", "HEAD"], cwd=work, check=True, capture_output=True,
                                    text=True).stdout.strip()
        for lock_name in ("pylock.tools.toml", "pylock.proj.toml"):
            lock = (p.src / lock_name).read_text()
            self.assertIn("[packages.vcs]", lock)
            self.assertIn(f"commit-id = '{commit_one}'", lock)
            self.assertIn(f"url = '{url}'", lock)
        self.assertIn("requested-revision = 'v1.0'", (p.src / "pylock.tools.toml").read_text())
        self.assertIn("requested-revision = 'main'", (p.src / "pylock.proj.toml").read_text())
        self.assertEqual(installed("build", "tools", "subpkg"), "sub-one")
        self.assertEqual(installed("build", "proj", "gitpkg"), "one")
        served = git_requests()
        self.assertTrue(served)
        self.assertEqual([r for r in served if r["auth"] != "basic" or r["status"] != "200"], [])

        # The branch moves on the server; the reconfigure is a no-op that asks it nothing.
        (work / "gitpkg" / "__init__.py").write_text("VALUE = 'two'\n")
        (work / "sub" / "subpkg" / "__init__.py").write_text("VALUE = 'sub-two'\n")
        git("commit", "-qam", "two")
        publish()
        before = len(git_requests())
        again = p.configure()
        self.assertEqual(status_lines(again.stdout), [])
        self.assertEqual(len(git_requests()), before)
        self.assertEqual(installed("build", "proj", "gitpkg"), "one")

        # A second machine's build tree (own cache) with the committed locks: the locked commit, not the branch head.
        p.env["UVAUTH_CACHE_DIR"] = str(p.root / "cache2")
        p.configure(build="build2")
        self.assertEqual(installed("build2", "tools", "subpkg"), "sub-one")
        self.assertEqual(installed("build2", "proj", "gitpkg"), "one")
        self.assertIn(f"commit-id = '{commit_one}'", (p.src / "pylock.proj.toml").read_text())
        self.assertEqual([r for r in git_requests() if r["auth"] != "basic"], [])
        argv = argv_log.read_text()
        self.assertIn("fetch", argv)
        self.assertNotIn(PASSWORD, argv)
        p.assert_no_secret_anywhere(self, [PASSWORD])

    def test_flat_and_explicit_indexes(self):
        p = self.p
        p.cmakelists(f"""
uvauth_add_index(wheels URL "{http_base()}/tagged/{p.case}/flat/" FORMAT flat)
uvauth_add_index(nothing URL "{p.private_url()}" EXPLICIT AUTHENTICATE never)
uvauth_add_index(pub URL "{http_base()}/tagged/{p.case}/public/second-index-html/simple" DEFAULT)
uvauth_add_requirements(tools REQUIREMENTS gamma "beta<3")
message(STATUS "PACKAGES=${{tools_PACKAGES}}")
""")
        out = p.configure()
        self.assertIn("PACKAGES=beta==2.0;gamma==1.5", flat(out.stdout))  # from the flat directory
        uris = [r["uri"] for r in p.requests()]
        self.assertFalse([u for u in uris if "/private/" in u], uris)  # explicit: never asked
        config = (p.root / "build" / "_uvauth" / "tools" / "uvauth.toml").read_text()
        self.assertIn('format = "flat"', config)
        self.assertIn("explicit = true", config)

    def test_a_set_or_target_dir_declared_twice_is_an_error(self):
        p = self.p
        for second, expected in (("uvauth_add_requirements(tools REQUIREMENTS delta)", "already declared"),
                                 ("uvauth_add_requirements(more REQUIREMENTS delta TARGET_DIR _uvauth/tools/site)",
                                  "already used by another requirement set")):
            with self.subTest(second=second):
                shutil.rmtree(p.root / "build", ignore_errors=True)
                p.cmakelists(f"""
uvauth_add_index(pub URL "{p.public_url()}" DEFAULT)
uvauth_add_requirements(tools REQUIREMENTS gamma)
{second}
""")
                out = p.configure(check=False)
                self.assertNotEqual(out.returncode, 0)
                self.assertIn(expected, flat(out.stdout))

    # -- errors ------------------------------------------------------------------------------------

    def test_tool_errors_become_configure_errors(self):
        p = self.p
        p.cmakelists(f"""
uvauth_add_index(pub URL "{p.public_url()}" DEFAULT)
uvauth_add_requirements(tools REQUIREMENTS "dia-a==2.0" "dia-b")
""")
        out = p.configure(check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("uvauth_add_requirements(tools): locking failed", flat(out.stdout))
        self.assertIn("unsatisfiable", flat(out.stdout))
        self.assertIn("CMake Error", flat(out.stdout))
        self.assertFalse((p.src / "pylock.tools.toml").exists())

    # Seen: a wrong --hash in a REQUIREMENTS_FILE locked and installed without a word.
    def test_a_wrong_hash_is_a_configure_error(self):
        p = self.p
        p.write("requirements.txt", "gamma==1.5 --hash=sha256:" + "a" * 64 + "\n")
        p.cmakelists(f"""
uvauth_add_index(pub URL "{p.public_url()}" DEFAULT)
uvauth_add_requirements(tools REQUIREMENTS_FILE requirements.txt)
""")
        out = p.configure(check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("hash mismatch for gamma-1.5-py3-none-any.whl", flat(out.stdout))
        self.assertIn("a" * 64, flat(out.stdout))
        self.assertFalse((p.src / "pylock.tools.toml").exists())
        self.assertFalse((p.root / "build" / "_uvauth" / "tools" / "site" / "gamma").exists())

    # Seen: a pyproject's [[tool.uv.index]] with UV_INDEX_<NAME>_* credentials
    # locked, then the install step got HTTP 401 on every wheel.
    def test_pyproject_index_credentials_reach_the_install_step(self):
        p = self.p
        p.env["UV_INDEX_CORP_USERNAME"] = "alice"
        p.env["UV_INDEX_CORP_PASSWORD"] = PASSWORD
        p.write("pyproject.toml", f"""
[project]
name = "demo"
version = "0"
dependencies = ["alpha"]

[[tool.uv.index]]
name = "corp"
url = "{p.private_url()}/"
default = true
""")
        p.cmakelists("""
uvauth_add_requirements(py PYPROJECT pyproject.toml)
message(STATUS "PACKAGES=${py_PACKAGES}")
""")
        out = p.configure()
        self.assertIn("PACKAGES=alpha==1.0;beta==2.0;gamma==1.5", flat(out.stdout))
        requests = p.requests()
        self.assertTrue(any(r["uri"].endswith(".whl") for r in requests), requests)
        self.assertEqual([r for r in requests if str(r["status"]) == "401"], [])
        p.assert_no_secret_anywhere(self, [PASSWORD])

    def test_argument_errors(self):
        p = self.p
        cases = {
            'uvauth_add_requirements(x BOGUS REQUIREMENTS alpha)': "unknown arguments: BOGUS",
            'uvauth_add_requirements(x)': "nothing to install",
            'uvauth_add_requirements(x REQUIREMENTS a LOCKED FROZEN)': "exclude each other",
            'uvauth_add_requirements(x REQUIREMENTS "-r other.txt")': "not one",
            'uvauth_add_requirements(x GROUPS dev REQUIREMENTS a)': "GROUPS needs PYPROJECT",
            'uvauth_add_requirements(x REQUIREMENTS_FILE missing.txt)': "does not exist",
            'uvauth_add_requirements("bad name" REQUIREMENTS a)': "invalid set name",
            'uvauth_add_index(i URL http://127.0.0.1/simple AUTHENTICATE sometimes)': "AUTHENTICATE must be",
            'uvauth_add_index(i URL http://127.0.0.1/simple FORMAT tarball)': "FORMAT must be",
            'uvauth_add_index(i URL http://127.0.0.1/simple DEFAULT EXPLICIT)': "both DEFAULT and EXPLICIT",
            'uvauth_add_index(i)': "URL is required",
            'uvauth_add_index(i URL ftp://127.0.0.1/simple)': "must start with",
            'uvauth_add_index(a URL http://127.0.0.1/a DEFAULT)\nuvauth_add_index(b URL http://127.0.0.1/b DEFAULT)':
                "already the DEFAULT",
            'uvauth_add_index(a URL http://127.0.0.1/a)\nuvauth_add_index(a URL http://127.0.0.1/b)':
                "already declared differently",
            'uvauth_python_environment(nope out)': "no requirement set 'nope'",
            'uvauth_add_requirements(x REQUIREMENTS "pkg @ http://u:sekrit-9@127.0.0.1/pkg-1.0-py3-none-any.whl")':
                "u:****@127.0.0.1",
            'uvauth_add_python_test(NAME t COMMAND x)': "NAME, REQUIREMENTS and COMMAND are required",
        }
        for code, expected in cases.items():
            with self.subTest(code=code):
                shutil.rmtree(p.root / "build", ignore_errors=True)
                p.cmakelists(code + "\n")
                out = p.configure(check=False)
                self.assertNotEqual(out.returncode, 0)
                self.assertIn(expected, flat(out.stdout))
                self.assertNotIn("sekrit-9", out.stdout)

    # -- the three ways to get the package -----------------------------------------------------------

    def install_prefix(self):
        prefix = self.p.root / "prefix"
        self.p.run([CMAKE, "--install", BUILD_DIR, "--prefix", str(prefix)])
        self.assertTrue((prefix / "bin" / "uvauth").exists())
        return prefix

    def test_installed_package(self):
        p = self.p
        prefix = self.install_prefix()
        p.write("CMakeLists.txt", f"""cmake_minimum_required(VERSION 3.20)
project(installed LANGUAGES NONE)
find_package(UvAuth ${{WANT}} REQUIRED)
get_target_property(tool UvAuth::uvauth IMPORTED_LOCATION)
message(STATUS "TOOL=${{tool}} ${{UvAuth_EXECUTABLE}} ${{UvAuth_VERSION}}")
uvauth_add_index(pub URL "{p.public_url()}" DEFAULT)
uvauth_add_requirements(tools REQUIREMENTS gamma)
message(STATUS "PACKAGES=${{tools_PACKAGES}}")
""")
        args = [CMAKE, "-S", str(p.src), "-G", "Ninja", f"-DCMAKE_PREFIX_PATH={prefix}"]
        out = p.run(args + ["-B", str(p.root / "ok"), "-DWANT=0.1"])
        self.assertIn(f"TOOL={prefix}/bin/uvauth {prefix}/bin/uvauth 0.1.0", flat(out.stdout))
        self.assertIn("PACKAGES=gamma==1.5", flat(out.stdout))
        for wrong in ("0.2", "1.0"):
            out = p.run(args + ["-B", str(p.root / f"bad{wrong}"), f"-DWANT={wrong}"], check=False)
            self.assertNotEqual(out.returncode, 0, wrong)
            self.assertIn("0.1.0", flat(out.stdout))

    def test_module_mode(self):
        p = self.p
        prefix = self.install_prefix()
        p.write("CMakeLists.txt", f"""cmake_minimum_required(VERSION 3.20)
project(module LANGUAGES NONE)
list(APPEND CMAKE_MODULE_PATH "{prefix}/lib/cmake/UvAuth")
find_package(UvAuth ${{WANT}} MODULE REQUIRED)
message(STATUS "FOUND=${{UvAuth_EXECUTABLE}} ${{UvAuth_VERSION}}")
uvauth_add_index(pub URL "{p.public_url()}" DEFAULT)
uvauth_add_requirements(tools REQUIREMENTS gamma)
message(STATUS "PACKAGES=${{tools_PACKAGES}}")
""")
        args = [CMAKE, "-S", str(p.src), "-G", "Ninja"]
        env = dict(p.env, UvAuth_ROOT=str(prefix))
        out = p.run(args + ["-B", str(p.root / "ok"), "-DWANT=0.1"], env=env)
        self.assertIn(f"FOUND={prefix}/bin/uvauth 0.1.0", flat(out.stdout))
        self.assertIn("PACKAGES=gamma==1.5", flat(out.stdout))
        for wrong in ("0.2", "2.0"):
            out = p.run(args + ["-B", str(p.root / f"bad{wrong}"), f"-DWANT={wrong}"], env=env, check=False)
            self.assertNotEqual(out.returncode, 0)
            self.assertIn("0.1.0", flat(out.stdout))
        # Not found at all: a clear error.
        env_none = dict(p.env, PATH="/usr/bin:/bin")
        out = p.run(args + ["-B", str(p.root / "none"), "-DWANT=0.1"], env=env_none, check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("Could NOT find UvAuth", flat(out.stdout))

    def test_fetchcontent(self):
        if os.environ.get("UVAUTH_TEST_SKIP_FETCHCONTENT"):
            self.skipTest("UVAUTH_TEST_SKIP_FETCHCONTENT is set (the ci workflow runs it)")
        p = self.p
        p.write("CMakeLists.txt", f"""cmake_minimum_required(VERSION 3.25)
project(fetched LANGUAGES CXX)
include(FetchContent)
FetchContent_Declare(UvAuth SOURCE_DIR "{SOURCE_DIR}")
FetchContent_MakeAvailable(UvAuth)
find_package(UvAuth 0.1 REQUIRED)  # answered by the FetchContent redirect
uvauth_add_index(pub URL "{p.public_url()}" DEFAULT)
uvauth_add_requirements(tools REQUIREMENTS gamma)
message(STATUS "PACKAGES=${{tools_PACKAGES}}")
""")
        env = dict(p.env)
        # The bootstrap unoptimized (it is the same code; -O2 would take minutes more on a small machine).
        args = [CMAKE, "-S", str(p.src), "-B", str(p.root / "build"), "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                "-DUVAUTH_BOOTSTRAP_BUILD_TYPE=None"]
        start = time.monotonic()
        out = p.run(args, env=env)
        self.assertIn("building the uvauth tool for configure time", flat(out.stdout))
        self.assertIn("UvAuth: 2/2 compiling the tool", flat(out.stdout))
        self.assertRegex(out.stdout, r"\[\d+/\d+\] ")  # the build's own progress, live
        self.assertIn("PACKAGES=gamma==1.5", flat(out.stdout))
        print(f"bootstrap configure: {time.monotonic() - start:.1f}s")
        again = p.run([CMAKE, "-S", str(p.src), "-B", str(p.root / "build")], env=env)
        self.assertNotIn("building the uvauth tool", flat(again.stdout))
        self.assertEqual(status_lines(again.stdout), [])


def main():
    cases = sorted(name[5:] for name in dir(CMakePackageTest) if name.startswith("test_"))
    if len(sys.argv) == 2 and sys.argv[1] == "--list":
        print("\n".join(cases))
        return 0
    if len(sys.argv) != 2 or sys.argv[1] not in cases:
        print(__doc__, file=sys.stderr)
        return 2
    suite = unittest.TestSuite([CMakePackageTest("test_" + sys.argv[1])])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
