// One index, however its URL is written: an index named again by another
// route (a requirements file's --index-url with a trailing slash, a lock's
// record) keeps its policy and credentials, in lock and in sync.
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

namespace fs = std::filesystem;
using testing::LogEntry;
using testing::NginxFixture;
using testing::run_tool;
using testing::TempHome;
using testing::ToolRun;

using testing::fx;


std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct IdentityCase {
  TempHome home;
  std::string tag = testing::unique_path_tag("ident");  // its requests, told apart in the shared access log
  std::string index(const std::string& slash = "") const { return fx().http("/tagged/" + tag + "/private/index-html/simple" + slash); }
  fs::path cache() const { return home.path() / "cache"; }
  fs::path lock() const { return home.path() / "pylock.toml"; }
  fs::path target() const { return home.path() / "target"; }
  std::vector<LogEntry> requests(std::size_t at_least) const { return fx().requests("/tagged/" + tag + "/", at_least); }
  ToolRun run(std::vector<std::string> args, std::map<std::string, std::string> env = {}) const {
    args.push_back("--cache-dir");
    args.push_back(cache().string());
    args.push_back("-vv");
    ToolRun run = run_tool(args, home.env(std::move(env)));
    EXPECT_EQ((run.out + run.err).find(fx().password("alice")), std::string::npos) << "a secret in the output";
    return run;
  }
};

void expect_every_request_authenticated(const std::vector<LogEntry>& log) {
  ASSERT_FALSE(log.empty());
  for (const auto& e : log) {
    EXPECT_EQ(e.auth, "basic") << e.method << " " << e.uri << " went without credentials";
    EXPECT_NE(e.status, "401") << e.uri;
  }
}

// Seen (uv#14264): an `authenticate = "always"` index named again as
// `--index-url <same URL>/` in requirements.txt sent unauthenticated page and
// wheel requests and got 401s.
TEST(IndexIdentityTest, AnAlwaysIndexNamedAgainWithATrailingSlashStaysAlways) {
  IdentityCase c;
  c.home.write_netrc("machine 127.0.0.1 login alice password " + fx().password("alice") + "\n");
  const fs::path config = c.home.write("uv.toml", "[[index]]\nname = \"corp\"\nurl = \"" + c.index() +
                                                      "\"\nauthenticate = \"always\"\ndefault = true\n");
  const fs::path requirements = c.home.write("requirements.txt", "--index-url " + c.index("/") + "\nalpha\n");
  auto locked = c.run({"lock", "--config-file", config.string(), "-r", requirements.string(), "-o", c.lock().string()});
  ASSERT_EQ(locked.exit_code, 0) << locked.err;
  auto synced = c.run({"sync", "--config-file", config.string(), "--lock", c.lock().string(), "--target", c.target().string()});
  ASSERT_EQ(synced.exit_code, 0) << synced.err;
  const auto log = c.requests(4);
  expect_every_request_authenticated(log);
  EXPECT_TRUE(std::any_of(log.begin(), log.end(), [](const LogEntry& e) { return e.uri.find(".whl") != std::string::npos; }));
}

// Seen: indexes declared in a pyproject with UV_INDEX_CORP_USERNAME/PASSWORD
// locked fine, then sync got HTTP 401 on every wheel (it did not know the
// URL belonged to `corp`). The lock now records its indexes' names.
TEST(IndexIdentityTest, SyncBindsTheLocksUrlsToTheirIndexByName) {
  IdentityCase c;
  const std::map<std::string, std::string> env{{"UV_INDEX_CORP_USERNAME", "alice"},
                                               {"UV_INDEX_CORP_PASSWORD", fx().password("alice")}};
  const fs::path project = c.home.write("pyproject.toml", "[project]\nname = \"app\"\nversion = \"1\"\ndependencies = [\"alpha\"]\n\n"
                                                          "[[tool.uv.index]]\nname = \"corp\"\nurl = \"" + c.index("/") +
                                                          "\"\ndefault = true\n");
  auto locked = c.run({"lock", "--no-config", "--project", project.string(), "-o", c.lock().string()}, env);
  ASSERT_EQ(locked.exit_code, 0) << locked.err;
  const std::string lock = read_text(c.lock());
  EXPECT_NE(lock.find("name = 'corp'"), std::string::npos) << lock;
  EXPECT_EQ(lock.find("alice"), std::string::npos) << "names of indexes, never credentials";
  // Elsewhere: no --project, only the lock and the environment.
  auto synced = c.run({"sync", "--no-config", "--lock", c.lock().string(), "--target", c.target().string()}, env);
  ASSERT_EQ(synced.exit_code, 0) << synced.err;
  expect_every_request_authenticated(c.requests(3));
  // --index NAME=URL does the same for a lock made without a record.
  fs::remove_all(c.target());
  fs::remove_all(c.cache());
  auto bare = lock::Lock::parse(lock, "pylock.toml");
  ASSERT_TRUE(bare.ok());
  bare->indexes.clear();
  c.home.write("bare.toml", bare->serialize());
  auto named = c.run({"sync", "--no-config", "--lock", (c.home.path() / "bare.toml").string(), "--target", c.target().string(),
                      "--index", "corp=" + c.index()},
                     env);
  ASSERT_EQ(named.exit_code, 0) << named.err;
}

// Seen: LOCKED failed with "its content differs" between 3.11.7 and 3.11.2,
// and two build trees rewrote the committed lock back and forth.
TEST(IndexIdentityTest, ALockIsTheSameForAnotherPatchRelease) {
  IdentityCase c;
  const std::string index = fx().http("/public/index-html/simple/");
  auto first = c.run({"lock", "--no-config", "alpha", "--index-url", index, "--python-version", "3.11.7", "-o", c.lock().string()});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::string made = read_text(c.lock());
  auto locked = c.run({"lock", "--no-config", "alpha", "--index-url", index, "--python-version", "3.11.2", "-o", c.lock().string(),
                       "--locked"});
  EXPECT_EQ(locked.exit_code, 0) << locked.err;
  auto again = c.run({"lock", "--no-config", "alpha", "--index-url", index, "--python-version", "3.11.2", "-o", c.lock().string()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(read_text(c.lock()), made) << "not rewritten for a patch release";
  EXPECT_NE(again.err.find("Up to date"), std::string::npos) << again.err;
}

}  // namespace
}  // namespace uvauth

namespace uvauth {
namespace {

// A directory of this fixture's wheels, as a user's local wheelhouse.
fs::path wheelhouse(const IdentityCase& c, std::initializer_list<const char*> names) {
  const fs::path dir = c.home.path() / "wheels";
  fs::create_directories(dir);
  for (const char* name : names) fs::copy_file(fs::path(fx().data_dir) / "files" / name, dir / name, fs::copy_options::overwrite_existing);
  return dir;
}

std::string python_in(const fs::path& target, const std::string& code) {
  auto run = run_process({"python3", "-c", "import sys; sys.path.insert(0, '" + target.string() + "')\n" + code});
  return run ? run->out + run->err : run.error().message;
}

// Seen: a `format = "flat"` index with `default = true` still asked
// pypi.org; a local directory works as a flat index.
TEST(IndexIdentityTest, AFlatDefaultIndexReplacesPypi) {
  IdentityCase c;
  const fs::path dir = wheelhouse(c, {"gamma-1.5-py3-none-any.whl"});
  const fs::path config = c.home.write("uv.toml", "[[index]]\nname = \"local\"\nurl = \"" + dir.string() +
                                                      "\"\nformat = \"flat\"\ndefault = true\n");
  auto locked = c.run({"lock", "--config-file", config.string(), "gamma", "-o", c.lock().string()});
  ASSERT_EQ(locked.exit_code, 0) << locked.err;
  EXPECT_EQ(locked.err.find("pypi.org"), std::string::npos) << locked.err;
  // The wheel is a local file: PEP 751's `path`, relative to the lock's directory.
  const std::string relative = (dir / "gamma-1.5-py3-none-any.whl").lexically_relative(c.lock().parent_path()).string();
  EXPECT_NE(read_text(c.lock()).find("path = '" + relative + "'"), std::string::npos) << read_text(c.lock());
  auto synced = c.run({"sync", "--config-file", config.string(), "--lock", c.lock().string(), "--target", c.target().string()});
  ASSERT_EQ(synced.exit_code, 0) << synced.err;
  EXPECT_EQ(python_in(c.target(), "import gamma; print(gamma.VERSION)"), "1.5\n");
}

// Seen: `name @ file:///path/x.whl` failed with "only http and https URLs
// are fetched", although local find-links are promised.
TEST(IndexIdentityTest, LocalWheelsInstallByFileUrlAndFindLinks) {
  IdentityCase c;
  const fs::path dir = wheelhouse(c, {"gamma-1.5-py3-none-any.whl", "epsilon-0.1-py3-none-any.whl"});
  auto by_url = c.run({"install", "--no-config", "--no-index", "gamma @ file://" + (dir / "gamma-1.5-py3-none-any.whl").string(),
                       "--target", c.target().string()});
  ASSERT_EQ(by_url.exit_code, 0) << by_url.err;
  EXPECT_EQ(python_in(c.target(), "import gamma; print(gamma.VERSION)"), "1.5\n");
  EXPECT_NE(read_text(c.target() / "gamma-1.5.dist-info" / "direct_url.json").find("\"url\":\"file://"), std::string::npos);
  const fs::path second = c.home.path() / "second";
  auto by_dir = c.run({"install", "--no-config", "--no-index", "--find-links", dir.string(), "epsilon", "--target", second.string()});
  ASSERT_EQ(by_dir.exit_code, 0) << by_dir.err;
  EXPECT_EQ(python_in(second, "import epsilon; print(epsilon.VERSION)"), "0.1\n");
}

}  // namespace
}  // namespace uvauth

namespace uvauth {
namespace {

// A page of links written into the fixture's tree for this test alone.
std::string hostile_page(const IdentityCase& c, const std::string& body) {
  const fs::path dir = fs::path(fx().data_dir) / ("hostile-" + c.tag);
  fs::create_directories(dir);
  std::ofstream(dir / "links.html") << "<html><body>" << body << "</body></html>\n";
  return fx().http("/public/hostile-" + c.tag + "/links.html");
}

// Seen: a `.metadata` hash mismatch exited 1 (as if the requirements were
// unsatisfiable) and a wheel hash mismatch 2. Both are 2 now: a hash
// mismatch is nothing the requirements can fix.
TEST(IndexIdentityTest, HashMismatchesExitTwoAndInstallSpeaksOfNoLock) {
  IdentityCase c;
  const std::string wrong(64, 'e');
  const std::string page = hostile_page(c, "<a href=\"../files/gamma-1.5-py3-none-any.whl\" data-core-metadata=\"sha256=" + wrong + "\">g</a>");
  auto metadata = c.run({"lock", "--no-config", "--no-index", "--find-links", page, "gamma", "-o", c.lock().string()});
  EXPECT_EQ(metadata.exit_code, 2) << metadata.err;
  EXPECT_NE(metadata.err.find("hash mismatch for"), std::string::npos) << metadata.err;
  EXPECT_NE(metadata.err.find(wrong), std::string::npos) << metadata.err;
  const std::string listed = hostile_page(c, "<a href=\"../files/gamma-1.5-py3-none-any.whl#sha256=" + wrong + "\">g</a>");
  auto install = c.run({"install", "--no-config", "--no-index", "--find-links", listed, "gamma", "--target", c.target().string()});
  EXPECT_EQ(install.exit_code, 2) << install.err;
  EXPECT_NE(install.err.find("hash mismatch for gamma-1.5-py3-none-any.whl"), std::string::npos) << install.err;
  EXPECT_NE(install.err.find("expected sha256 " + wrong), std::string::npos) << install.err;
  EXPECT_EQ(install.err.find("the lock says"), std::string::npos) << "install has no lock file:\n" << install.err;
  EXPECT_FALSE(fs::exists(c.target()));
  fs::remove_all(fs::path(fx().data_dir) / ("hostile-" + c.tag));
}

}  // namespace
}  // namespace uvauth

namespace uvauth {
namespace {

// Seen: a (gzip) page was read up to 512 MiB of memory; pages stop at 64 MiB.
TEST(IndexIdentityTest, AnOversizedPageIsRefusedEarly) {
  IdentityCase c;
  const fs::path dir = fs::path(fx().data_dir) / ("huge-" + c.tag) / "simple" / "gamma";
  fs::create_directories(dir);
  {
    std::ofstream out(dir / "index.html", std::ios::binary);
    const std::string block(1 << 20, ' ');
    for (int i = 0; i < 66; ++i) out << block;
  }
  auto run = c.run({"lock", "--no-config", "--index-url", fx().http("/public/huge-" + c.tag + "/simple/"), "gamma", "-o",
                    c.lock().string()});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("is larger than 67108864 bytes"), std::string::npos) << run.err;
  fs::remove_all(fs::path(fx().data_dir) / ("huge-" + c.tag));
}

}  // namespace
}  // namespace uvauth

namespace uvauth {
namespace {

// Seen: the hint's `uvauth auth login 127.0.0.1` stored https://127.0.0.1/,
// which never matches. The hint's command, run as written, fixes it.
TEST(IndexIdentityTest, TheMissingCredentialsHintWorksAsWritten) {
  IdentityCase c;
  const fs::path config = c.home.write("uv.toml", "[[index]]\nname = \"corp\"\nurl = \"" + c.index() +
                                                      "\"\nauthenticate = \"always\"\ndefault = true\n");
  auto missing = c.run({"lock", "--config-file", config.string(), "alpha", "-o", c.lock().string()});
  ASSERT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("UV_INDEX_CORP_USERNAME / UV_INDEX_CORP_PASSWORD"), std::string::npos) << missing.err;
  const std::string marker = "`uvauth auth login ";
  const auto at = missing.err.find(marker);
  ASSERT_NE(at, std::string::npos) << missing.err;
  std::string command = missing.err.substr(at + marker.size());
  command = command.substr(0, command.find('`'));
  const std::string service = command.substr(0, command.find(' '));
  auto login = run_tool({"auth", "login", service, "--username", "alice", "--password", "-"}, c.home.env(), fx().password("alice") + "\n");
  ASSERT_EQ(login.exit_code, 0) << login.err;
  auto locked = c.run({"lock", "--config-file", config.string(), "alpha", "-o", c.lock().string()});
  ASSERT_EQ(locked.exit_code, 0) << locked.err;
  auto synced = c.run({"sync", "--config-file", config.string(), "--lock", c.lock().string(), "--target", c.target().string()});
  ASSERT_EQ(synced.exit_code, 0) << synced.err;
}

}  // namespace
}  // namespace uvauth
