// `uvauth lock` against the fixture's indexes of real wheels, as a user runs it.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "nginx_fixture.hpp"
#include "temp_home.hpp"
#include "tool_runner.hpp"
#include "uvauth/lock/pylock.hpp"
#include "uvauth/process.hpp"

namespace uvauth {
namespace {

using testing::NginxFixture;
using testing::run_tool;
using testing::TempHome;
using testing::ToolRun;

using testing::fx;
using testing::primary;
std::string second() { return fx().http("/public/second-index-html/simple/"); }
std::string to_upper(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

struct Locker {
  TempHome home;
  std::string lock_path() const { return (home.path() / "pylock.toml").string(); }
  ToolRun lock(std::vector<std::string> args, const std::string& python_version = "3.11") const {
    std::vector<std::string> full{"lock", "-o", lock_path(), "--no-config", "--cache-dir", (home.path() / "cache").string(),
                                  "--python-version", python_version};
    full.insert(full.end(), args.begin(), args.end());
    return run_tool(full, home.env());
  }
  std::string text() const {
    std::ifstream in(lock_path());
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }
  // "name==version" for every package in the lock, sorted.
  std::string pins() const { return testing::locked_pins(lock_path()); }
};

TEST(LockCommandTest, ChainWithExtrasAndMarkers) {
  Locker l;
  auto run = l.lock({"alpha[fast]", "--index-url", primary()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(l.pins(), "alpha==1.0 beta==2.0 gamma==1.5");
  EXPECT_NE(run.err.find("Resolved 3 packages"), std::string::npos);
  Locker without_extra;
  ASSERT_EQ(without_extra.lock({"alpha", "--index-url", primary()}).exit_code, 0);
  EXPECT_EQ(without_extra.pins(), "alpha==1.0 beta==2.0 gamma==1.5") << "beta 2.0 needs gamma anyway";
}

TEST(LockCommandTest, RequiresPythonOfCandidatesIsChecked) {
  Locker l;
  auto run = l.lock({"beta", "--index-url", primary()}, "3.8");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(l.pins(), "beta==1.0") << "beta 2.0 needs Python >=3.9";
  auto impossible = l.lock({"beta>=2", "--index-url", primary()}, "3.8");
  EXPECT_EQ(impossible.exit_code, 1);
  EXPECT_NE(impossible.err.find("Because you require beta>=2 and only beta==1.0 is available (2.0 needs Python >=3.9), "
                                "the requirements are unsatisfiable."),
            std::string::npos)
      << impossible.err;
}

TEST(LockCommandTest, PreReleaseRules) {
  Locker l;
  ASSERT_EQ(l.lock({"zeta", "--index-url", primary()}).exit_code, 0);
  EXPECT_EQ(l.pins(), "zeta==1.0") << "the final release is preferred";
  ASSERT_EQ(l.lock({"zeta>=2.0b1", "--index-url", primary()}).exit_code, 0);
  EXPECT_EQ(l.pins(), "zeta==2.0b1") << "named in a specifier";
  ASSERT_EQ(l.lock({"zeta", "--index-url", primary(), "--prerelease", "allow"}).exit_code, 0);
  EXPECT_EQ(l.pins(), "zeta==2.0b1");
  ASSERT_EQ(l.lock({"theta", "--index-url", primary()}).exit_code, 0);
  EXPECT_EQ(l.pins(), "theta==1.0b2") << "the only versions are pre-releases";
  auto disallowed = l.lock({"theta", "--index-url", primary(), "--prerelease", "disallow"});
  EXPECT_EQ(disallowed.exit_code, 1);
  EXPECT_NE(disallowed.err.find("1.0b2 is a pre-release"), std::string::npos) << disallowed.err;
}

TEST(LockCommandTest, YankedVersionsAreSkippedUnlessPinned) {
  Locker l;
  ASSERT_EQ(l.lock({"eta", "--index-url", primary()}).exit_code, 0);
  EXPECT_EQ(l.pins(), "eta==1.0");
  ASSERT_EQ(l.lock({"eta==1.1", "--index-url", primary()}).exit_code, 0);
  EXPECT_EQ(l.pins(), "eta==1.1");
}

TEST(LockCommandTest, ConstraintsAndRequirementFiles) {
  Locker l;
  l.home.write("constraints.txt", "beta<2\n");
  l.home.write("requirements.txt", "--index-url " + primary() + "\nalpha  # the app\n");
  auto run = l.lock({"-r", (l.home.path() / "requirements.txt").string(), "-c", (l.home.path() / "constraints.txt").string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(l.pins(), "alpha==1.0 beta==1.0");
}

TEST(LockCommandTest, DirectUrlRequirement) {
  Locker l;
  auto run = l.lock({"gamma @ " + fx().http("/public/files-nometa/gamma-1.5-py3-none-any.whl"), "--index-url", primary()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(l.pins(), "gamma==1.5");
  EXPECT_NE(l.text().find("files-nometa/gamma-1.5-py3-none-any.whl"), std::string::npos);
  EXPECT_NE(l.text().find(fx().wheel_sha256.at("gamma-1.5-py3-none-any.whl")), std::string::npos);
}

TEST(LockCommandTest, FirstIndexWinsAndOrderMatters) {
  Locker l;
  ASSERT_EQ(l.lock({"beta", "--index", "second=" + second(), "--default-index", primary()}).exit_code, 0);
  EXPECT_EQ(l.pins(), "beta==3.0") << "the first index that has beta is the only one asked";
  ASSERT_EQ(l.lock({"beta", "--index", "first=" + primary(), "--default-index", second()}).exit_code, 0);
  EXPECT_EQ(l.pins(), "beta==2.0 gamma==1.5");
  ASSERT_EQ(l.lock({"iota", "--index", "first=" + primary(), "--default-index", second()}).exit_code, 0);
  EXPECT_EQ(l.pins(), "gamma==1.5 iota==1.0") << "a 404 on the first index moves on";
}

TEST(LockCommandTest, ExplicitIndexServesOnlyPinnedPackages) {
  Locker l;
  l.home.write("pyproject.toml", "[project]\nname = \"app\"\nversion = \"0\"\ndependencies = [\"iota\", \"beta\"]\n"
                                 "[[tool.uv.index]]\nname = \"second\"\nurl = \"" + second() + "\"\nexplicit = true\n"
                                 "[tool.uv.sources]\niota = { index = \"second\" }\n");
  const std::string project = (l.home.path() / "pyproject.toml").string();
  auto run = run_tool({"lock", "--project", project, "-o", l.lock_path(), "--cache-dir",
                       (l.home.path() / "cache").string(), "--python-version", "3.11", "--default-index", primary()},
                      l.home.env());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(l.pins(), "beta==2.0 gamma==1.5 iota==1.0") << "beta not from the explicit index (3.0), iota only from it";
}

TEST(LockCommandTest, DiamondNeedsBacktracking) {
  Locker l;
  auto run = l.lock({"dia-a", "dia-b", "--index-url", primary()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(l.pins(), "dia-a==1.0 dia-b==2.0 dia-c==1.0");
}

TEST(LockCommandTest, MarkersOnTheRequirementSide) {
  Locker l;
  auto run = l.lock({"gamma; python_version >= '3.10'", "beta; sys_platform == 'win32'", "--index-url", primary()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(l.pins(), "gamma==1.5");
  ASSERT_EQ(l.lock({"gamma; python_version >= '3.10'", "beta; sys_platform == 'win32'", "--index-url", primary(),
                    "--python-platform", "win_amd64"}).exit_code, 0);
  EXPECT_EQ(l.pins(), "beta==2.0 gamma==1.5");
}

TEST(LockCommandTest, ProjectDependencyGroups) {
  Locker l;
  l.home.write("pyproject.toml", "[project]\nname = \"app\"\nversion = \"0\"\ndependencies = [\"gamma\"]\n"
                                 "[dependency-groups]\ndev = [\"eta\", {include-group = \"lint\"}]\nlint = [\"zeta\"]\n"
                                 "docs = [\"epsilon\"]\n");
  const std::string project = (l.home.path() / "pyproject.toml").string();
  ASSERT_EQ(l.lock({"--project", project, "--index-url", primary()}).exit_code, 0);
  EXPECT_EQ(l.pins(), "eta==1.0 gamma==1.5 zeta==1.0") << "dev by default, with what it includes";
  ASSERT_EQ(l.lock({"--project", project, "--group", "docs", "--index-url", primary()}).exit_code, 0);
  EXPECT_EQ(l.pins(), "epsilon==0.1 eta==1.0 gamma==1.5 zeta==1.0") << "--group adds to the default groups, as in uv";
  ASSERT_EQ(l.lock({"--project", project, "--group", "docs", "--no-default-groups", "--index-url", primary()}).exit_code, 0);
  EXPECT_EQ(l.pins(), "epsilon==0.1 gamma==1.5");
  ASSERT_EQ(l.lock({"--project", project, "--no-dev", "--index-url", primary()}).exit_code, 0);
  EXPECT_EQ(l.pins(), "gamma==1.5");
  ASSERT_EQ(l.lock({"--project", project, "--all-groups", "--no-dev", "--index-url", primary()}).exit_code, 0);
  EXPECT_EQ(l.pins(), "epsilon==0.1 eta==1.0 gamma==1.5 zeta==1.0") << "--all-groups";
  auto missing = l.lock({"--project", project, "--group", "nope", "--index-url", primary()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("no dependency group 'nope'"), std::string::npos) << missing.err;
}

TEST(LockCommandTest, UnauthorizedIndexStopsNotFoundMovesOn) {
  Locker l;
  auto refused = l.lock({"alpha", "--index", fx().http("/private/index-html/simple/"), "--default-index", primary()});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("HTTP 401 Unauthorized for " + fx().http("/private/index-html/simple/alpha/") + ": index " +
                             fx().http("/private/index-html/simple/") + " wants credentials and none were found"),
            std::string::npos)
      << refused.err;
  auto hidden = l.lock({"alpha", "--index", fx().http("/hidden/index-html/simple/"), "--default-index", primary()});
  EXPECT_EQ(hidden.exit_code, 0) << hidden.err;
}

TEST(LockCommandTest, PrivateIndexLockHoldsNoSecret) {
  Locker l;
  const std::string with_credentials = "http://alice:" + fx().password("alice") + "@127.0.0.1:" +
                                       std::to_string(fx().http_port) + "/private/index-html/simple/";
  auto run = l.lock({"alpha", "--index-url", with_credentials, "-vv"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(l.text().find(fx().password("alice")), std::string::npos);
  EXPECT_EQ(l.text().find("alice"), std::string::npos) << "no user names either";
  EXPECT_EQ(run.err.find(fx().password("alice")), std::string::npos);
  EXPECT_NE(l.text().find(fx().http("/private/files/")), std::string::npos);
}

TEST(LockCommandTest, DeterministicLockedAndStale) {
  Locker l;
  ASSERT_EQ(l.lock({"alpha", "--index-url", primary()}).exit_code, 0);
  const std::string first = l.text();
  std::filesystem::remove(l.lock_path());
  ASSERT_EQ(l.lock({"alpha", "--index-url", primary()}).exit_code, 0);
  EXPECT_EQ(l.text(), first) << "same inputs, byte-identical lock";
  auto locked = l.lock({"alpha", "--index-url", primary(), "--locked"});
  EXPECT_EQ(locked.exit_code, 0) << locked.err;
  auto stale = l.lock({"alpha", "gamma", "beta<2", "--index-url", primary(), "--locked"});
  EXPECT_EQ(stale.exit_code, 1);
  EXPECT_NE(stale.err.find("is out of date: Downgraded beta v2.0 -> v1.0"), std::string::npos) << stale.err;
  EXPECT_EQ(l.text(), first) << "--locked never writes";
}

TEST(LockCommandTest, RelockingKeepsPinsThatAreStillAllowed) {
  Locker l;
  ASSERT_EQ(l.lock({"beta<2", "--index-url", primary()}).exit_code, 0);
  EXPECT_EQ(l.pins(), "beta==1.0");
  ASSERT_EQ(l.lock({"beta", "--index-url", primary()}).exit_code, 0);
  EXPECT_EQ(l.pins(), "beta==1.0") << "beta 1.0 still satisfies `beta`: kept";
}

TEST(LockCommandTest, TheLockIsValidPep751) {
  Locker l;
  ASSERT_EQ(l.lock({"alpha[fast]", "--index-url", primary()}).exit_code, 0);
  const auto script = l.home.write("check.py",
                                   "import sys, tomllib\n"
                                   "d = tomllib.load(open(sys.argv[1], 'rb'))\n"
                                   "assert d['lock-version'] == '1.0' and d['created-by'] == 'uvauth'\n"
                                   "assert isinstance(d.get('environments', []), list)\n"
                                   "for p in d['packages']:\n"
                                   "    assert p['name'] and p['version']\n"
                                   "    assert p['wheels'], p\n"
                                   "    for w in p['wheels']:\n"
                                   "        assert w['url'] and len(w['hashes']['sha256']) == 64, w\n"
                                   "print('ok')\n");
  auto run = run_process({"python3", script.string(), l.lock_path()});
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->out, "ok\n") << run->err;
}

TEST(LockCommandTest, ALockForAnotherTargetIsDetected) {
  Locker l;
  ASSERT_EQ(l.lock({"gamma", "--index-url", primary()}, "3.11").exit_code, 0);
  auto lock = lock::Lock::parse(l.text(), l.lock_path());
  ASSERT_TRUE(lock.ok());
  EXPECT_TRUE(lock->check_target({{"python_version", "3.11"}, {"sys_platform", "linux"}, {"platform_machine", "x86_64"},
                                  {"implementation_name", "cpython"}}, l.lock_path()).ok());
  auto other = lock->check_target({{"python_version", "3.12"}, {"sys_platform", "linux"}, {"platform_machine", "x86_64"},
                                   {"implementation_name", "cpython"}}, l.lock_path());
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.error().message.find("not for this interpreter"), std::string::npos);
}

TEST(LockCommandTest, BadInputsAreClearErrors) {
  Locker l;
  auto bad_requirement = l.lock({"alpha>=", "--index-url", primary()});
  EXPECT_EQ(bad_requirement.exit_code, 2);
  EXPECT_NE(bad_requirement.err.find("invalid requirement 'alpha>='"), std::string::npos) << bad_requirement.err;
  auto nothing = l.lock({"--index-url", primary()});
  EXPECT_EQ(nothing.exit_code, 2);
  EXPECT_NE(nothing.err.find("nothing to lock"), std::string::npos);
  l.home.write("pylock.toml", "lock-version = \n");
  auto broken_lock = l.lock({"alpha", "--index-url", primary(), "--locked"});
  EXPECT_EQ(broken_lock.exit_code, 2);
  EXPECT_NE(broken_lock.err.find(l.lock_path() + ":1:"), std::string::npos) << broken_lock.err;
}

}  // namespace
}  // namespace uvauth

namespace uvauth {
namespace {

// Seen: a wrong `--hash` locked and installed without a word.
TEST(HashCheckingTest, AWrongHashIsAnErrorNamingBothAndNothingIsWritten) {
  Locker l;
  const std::string good = fx().wheel_sha256.at("gamma-1.5-py3-none-any.whl");
  const std::string wrong(64, 'a');
  const auto requirements = l.home.write("requirements.txt", "gamma==1.5 --hash=sha256:" + wrong + "\n");
  auto run = l.lock({"-r", requirements.string(), "--index-url", primary()});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("hash mismatch for gamma-1.5-py3-none-any.whl"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find(requirements.string() + ":1 allows sha256 " + wrong + ", the file has " + good), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(l.lock_path()));
  const auto target = l.home.path() / "target";
  auto install = run_tool({"install", "--no-config", "--cache-dir", (l.home.path() / "cache").string(), "-r", requirements.string(),
                           "--index-url", primary(), "--target", target.string()},
                          l.home.env());
  EXPECT_EQ(install.exit_code, 2) << install.err;
  EXPECT_FALSE(std::filesystem::exists(target)) << "nothing is installed";
  // The right hash (upper case too) passes.
  l.home.write("requirements.txt", "gamma==1.5 \\\n    --hash=sha256:" + wrong + " --hash=sha256:" + to_upper(good) + "\n");
  auto right = l.lock({"-r", requirements.string(), "--index-url", primary()});
  EXPECT_EQ(right.exit_code, 0) << right.err;
}

TEST(HashCheckingTest, OneHashTurnsOnHashCheckingForEveryPackage) {
  Locker l;
  const auto requirements =
      l.home.write("requirements.txt", "alpha==1.0 --hash=sha256:" + fx().wheel_sha256.at("alpha-1.0-py3-none-any.whl") + "\n");
  auto run = l.lock({"-r", requirements.string(), "--index-url", primary()});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("hashes are required (a requirement has --hash), but these packages have none:\n    beta==2.0 --hash=sha256:" +
                         fx().wheel_sha256.at("beta-2.0-py3-none-any.whl")),
            std::string::npos)
      << run.err;
  auto required = l.lock({"gamma", "--require-hashes", "--index-url", primary()});
  EXPECT_EQ(required.exit_code, 2);
  EXPECT_NE(required.err.find("hashes are required (--require-hashes)"), std::string::npos) << required.err;
  // Hashes in a constraints file count too.
  const auto constraints = l.home.write("constraints.txt", "gamma --hash=sha256:" + std::string(64, 'b') + "\n");
  auto constrained = l.lock({"gamma", "-c", constraints.string(), "--index-url", primary()});
  EXPECT_EQ(constrained.exit_code, 2);
  EXPECT_NE(constrained.err.find(constraints.string() + ":1 allows sha256 " + std::string(64, 'b')), std::string::npos)
      << constrained.err;
}

TEST(HashCheckingTest, MalformedHashesAreRefusedWithFileAndLine) {
  Locker l;
  const auto requirements = l.home.write("requirements.txt", "gamma --hash=sha256:abc\n");
  auto run = l.lock({"-r", requirements.string(), "--index-url", primary()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find(requirements.string() + ":1: --hash=sha256:abc is not a SHA-256 digest"), std::string::npos) << run.err;
  l.home.write("requirements.txt", "gamma --hash=sha512:abc\n");
  auto other = l.lock({"-r", requirements.string(), "--index-url", primary()});
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_NE(other.err.find("uvauth checks sha256 hashes only"), std::string::npos) << other.err;
}

}  // namespace
}  // namespace uvauth

namespace uvauth {
namespace {

// Seen: `flask[nonextra]` was taken without a word; uv and pip warn.
TEST(LockMessagesTest, AnUnknownExtraIsAWarning) {
  Locker l;
  auto unknown = l.lock({"alpha[nonextra]", "--index-url", primary()});
  ASSERT_EQ(unknown.exit_code, 0) << unknown.err;
  EXPECT_NE(unknown.err.find("warning: alpha 1.0 does not provide the extra 'nonextra'"), std::string::npos) << unknown.err;
  auto known = l.lock({"alpha[fast]", "--index-url", primary()});
  ASSERT_EQ(known.exit_code, 0) << known.err;
  EXPECT_EQ(known.err.find("does not provide the extra"), std::string::npos) << known.err;
}

// Seen: "six has no usable versions" for a project no index has, and no word
// about an index URL that answers 404 for everything.
TEST(LockMessagesTest, AProjectOnNoIndexAndAWrongIndexUrlAreNamed) {
  Locker l;
  auto missing = l.lock({"nosuchpkg", "--index", "corp=" + primary(), "--default-index", second()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("nosuchpkg was not found on index 'corp' (" + primary() + ": 404) or index " + second() + " (404)"),
            std::string::npos)
      << missing.err;
  const std::string typo = fx().http("/public/index-html/simpel/");
  auto wrong = l.lock({"alpha", "gamma", "--index-url", typo});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("hint: index " + typo + " answered 404 for every project asked (2): its URL is probably wrong"),
            std::string::npos)
      << wrong.err;
}

}  // namespace
}  // namespace uvauth
