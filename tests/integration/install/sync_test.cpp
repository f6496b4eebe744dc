// `uvauth sync` with real wheels from the fixture index and the machine's python3.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "nginx_fixture.hpp"
#include "temp_home.hpp"
#include "tool_runner.hpp"
#include "uvauth/install/installer.hpp"
#include "uvauth/install/unpack.hpp"
#include "uvauth/fs.hpp"
#include "uvauth/sha256.hpp"
#include "uvauth/pep/version.hpp"
#include "uvauth/process.hpp"

extern char** environ;  // NOLINT

namespace uvauth {
namespace {

namespace fs = std::filesystem;
using testing::NginxFixture;
using testing::run_tool;
using testing::TempHome;
using testing::ToolRun;

using testing::fx;
using testing::primary;

std::string listing(const fs::path& dir) {
  std::set<std::string> names;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    names.insert(it->path().lexically_relative(dir).string());
  }
  std::string out;
  for (const auto& n : names) out += n + "\n";
  return out;
}

struct Syncer {
  TempHome home;
  fs::path target() const { return home.path() / "target"; }
  fs::path lock() const { return home.path() / "pylock.toml"; }
  fs::path cache() const { return home.path() / "cache"; }
  ToolRun lock_for(std::vector<std::string> requirements) const {
    std::vector<std::string> args{"lock", "-o", lock().string(), "--no-config", "--cache-dir", cache().string(), "--index-url", primary()};
    args.insert(args.end(), requirements.begin(), requirements.end());
    return run_tool(args, home.env());
  }
  ToolRun sync(std::vector<std::string> extra = {}) const {
    std::vector<std::string> args{"sync", "--lock", lock().string(), "--target", target().string(), "--no-config",
                                  "--cache-dir", cache().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_tool(args, home.env());
  }
  std::string python(const std::string& code) const {
    auto run = run_process({"python3", "-c", "import sys; sys.path.insert(0, '" + target().string() + "')\n" + code});
    return run ? run->out + run->err : run.error().message;
  }
};

TEST(SyncTest, InstallsImportablePackagesPipCanList) {
  Syncer s;
  ASSERT_EQ(s.lock_for({"alpha[fast]"}).exit_code, 0);
  auto run = s.sync();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("Installed 3 packages"), std::string::npos) << run.err;
  EXPECT_EQ(s.python("import alpha, beta, gamma; print(alpha.VERSION, beta.VERSION, gamma.VERSION)"), "1.0 2.0 1.5\n");
  auto pip = run_process({"python3", "-m", "pip", "list", "--path", s.target().string(), "--format", "freeze"});
  ASSERT_TRUE(pip.ok());
  EXPECT_EQ(pip->out, "alpha==1.0\nbeta==2.0\ngamma==1.5\n") << pip->err;
  std::ifstream installer(s.target() / "alpha-1.0.dist-info" / "INSTALLER");
  std::string who;
  std::getline(installer, who);
  EXPECT_EQ(who, "uvauth");
  EXPECT_TRUE(fs::exists(s.target() / "alpha-1.0.dist-info" / "REQUESTED"));
  EXPECT_FALSE(fs::exists(s.target() / "beta-2.0.dist-info" / "REQUESTED")) << "beta came as a dependency";
  std::ifstream record(s.target() / "alpha-1.0.dist-info" / "RECORD");
  std::stringstream text;
  text << record.rdbuf();
  EXPECT_NE(text.str().find("alpha/__init__.py,sha256="), std::string::npos);
  EXPECT_NE(text.str().find("alpha-1.0.dist-info/INSTALLER,sha256="), std::string::npos);
}

TEST(SyncTest, PipCheckIsHappy) {
  Syncer s;
  ASSERT_EQ(s.lock_for({"alpha[fast]", "dia-a", "dia-b"}).exit_code, 0);
  ASSERT_EQ(s.sync().exit_code, 0);
  auto check = run_process({"env", "PYTHONPATH=" + s.target().string(), "python3", "-m", "pip", "check"});
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(check->exit_code, 0) << check->out << check->err;
}

TEST(SyncTest, ProgressIsPlainLinesWithoutATerminalAndABarOnOne) {
  Syncer s;
  ASSERT_EQ(s.lock_for({"alpha[fast]", "dia-a", "dia-b"}).exit_code, 0);
  auto plain = s.sync();
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_NE(plain.err.find("Downloading 6 wheels\n"), std::string::npos) << plain.err;
  EXPECT_NE(plain.err.find("Installed 6/6\n"), std::string::npos) << plain.err;
  EXPECT_EQ(plain.err.find('\r'), std::string::npos) << "no carriage returns in logs";
  fs::remove_all(s.target());
  auto quiet = s.sync({"-q"});
  EXPECT_EQ(quiet.exit_code, 0);
  EXPECT_EQ(quiet.err, "");
  // On a terminal (a pseudo-terminal from `script`): a redrawn bar.
  fs::remove_all(s.target());
  fs::remove_all(s.cache() / "wheels-v1");
  const std::string command = testing::tool_path() + " sync --lock " + s.lock().string() + " --target " + s.target().string() +
                              " --no-config --cache-dir " + s.cache().string();
  std::string env_prefix;
  for (const auto& [k, v] : s.home.env()) {
    if (!v.empty()) env_prefix += k + "='" + v + "' ";
  }
  auto tty = run_process({"script", "-qec", "env " + env_prefix + command, "/dev/null"});
  ASSERT_TRUE(tty.ok()) << tty.error().message;
  EXPECT_EQ(tty->exit_code, 0) << tty->out;
  EXPECT_NE(tty->out.find("\r\033[2K[####################] 6/6 downloaded"), std::string::npos) << tty->out;
  EXPECT_NE(tty->out.find("Installed 6 packages"), std::string::npos);
}

TEST(SyncTest, AnUnchangedSyncAnswersFromTheStampWithoutTheNetwork) {
  Syncer s;
  ASSERT_EQ(s.lock_for({"epsilon"}).exit_code, 0);
  ASSERT_EQ(s.sync().exit_code, 0);
  const auto before = fx().requests("/public/files/epsilon", 0, std::chrono::milliseconds(0)).size();
  fs::remove_all(s.cache() / "wheels-v1");
  auto again = s.sync();
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("is up to date"), std::string::npos);
  EXPECT_EQ(fx().requests("/public/files/epsilon", 0, std::chrono::milliseconds(300)).size(), before);
}

TEST(SyncTest, ChangedAndExtraneousPackagesAreReplacedAndRemoved) {
  Syncer s;
  ASSERT_EQ(s.lock_for({"alpha[fast]"}).exit_code, 0);
  ASSERT_EQ(s.sync().exit_code, 0);
  s.home.write("target/user-file.txt", "not ours\n");
  ASSERT_EQ(s.lock_for({"alpha", "beta<2"}).exit_code, 0);
  auto run = s.sync();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("Installed 1 package, removed 2, kept 1"), std::string::npos) << run.err;
  EXPECT_TRUE(fs::exists(s.target() / "beta-1.0.dist-info"));
  EXPECT_FALSE(fs::exists(s.target() / "beta-2.0.dist-info"));
  EXPECT_FALSE(fs::exists(s.target() / "gamma")) << "gamma's files go with it";
  EXPECT_FALSE(fs::exists(s.target() / "gamma-1.5.dist-info"));
  EXPECT_TRUE(fs::exists(s.target() / "user-file.txt")) << "files that no RECORD names are left alone";
  EXPECT_EQ(s.python("import beta; print(beta.VERSION)"), "1.0\n");
}

TEST(SyncTest, AHashMismatchFailsAndLeavesTheTargetAsItWas) {
  Syncer s;
  ASSERT_EQ(s.lock_for({"alpha"}).exit_code, 0);
  ASSERT_EQ(s.sync().exit_code, 0);
  const std::string before = listing(s.target());
  ASSERT_EQ(s.lock_for({"alpha", "eta"}).exit_code, 0);
  std::ifstream in(s.lock());
  std::stringstream text;
  text << in.rdbuf();
  std::string lock = text.str();
  const std::string good = fx().wheel_sha256.at("eta-1.0-py3-none-any.whl");
  ASSERT_NE(lock.find(good), std::string::npos);
  lock.replace(lock.find(good), good.size(), std::string(64, 'a'));
  s.home.write("pylock.toml", lock);
  auto run = s.sync();
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("hash mismatch for eta-1.0-py3-none-any.whl"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find(std::string(64, 'a')), std::string::npos);
  EXPECT_NE(run.err.find(good), std::string::npos) << "both hashes are named";
  EXPECT_EQ(listing(s.target()), before);
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(s.cache() / "wheels-v1", ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    EXPECT_EQ(it->path().filename().string().find(good), std::string::npos) << "the bad download was deleted: " << it->path();
  }
}

TEST(SyncTest, LeftoversOfAnInterruptedSyncAreRecovered) {
  Syncer s;
  ASSERT_EQ(s.lock_for({"gamma"}).exit_code, 0);
  ASSERT_EQ(s.sync().exit_code, 0);
  // As if killed between the two steps of a swap: the target moved aside, a staging tree left.
  fs::rename(s.target(), s.home.path() / "target.uvauth-old-4242");
  s.home.write("target.uvauth-staging-4242/junk", "half a tree\n");
  auto run = s.sync();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(fs::exists(s.target() / "gamma-1.5.dist-info"));
  EXPECT_FALSE(fs::exists(s.home.path() / "target.uvauth-old-4242"));
  EXPECT_FALSE(fs::exists(s.home.path() / "target.uvauth-staging-4242"));
}

TEST(SyncTest, ASyncKilledMidwayLeavesTheTargetAsItWas) {
  Syncer s;
  ASSERT_EQ(s.lock_for({"gamma"}).exit_code, 0);
  ASSERT_EQ(s.sync().exit_code, 0);
  const std::string before = listing(s.target());
  // A lock whose second wheel is served slowly, so the sync is busy when killed.
  std::ifstream in(s.lock());
  std::stringstream text;
  text << in.rdbuf();
  std::string lock = text.str();
  lock += "\n[[packages]]\nname = \"slowpkg\"\nversion = \"1.0\"\nindex = \"" + primary() +
          "\"\n\n[[packages.wheels]]\nname = \"slowpkg-1.0-py3-none-any.whl\"\nurl = \"" +
          fx().http("/slow/slowpkg-1.0-py3-none-any.whl?delay=3") + "\"\nhashes = { sha256 = \"" + std::string(64, 'b') + "\" }\n";
  s.home.write("pylock.toml", lock);
  std::vector<std::string> args{testing::tool_path(), "sync", "--lock", s.lock().string(), "--target", s.target().string(),
                                "--no-config", "--cache-dir", s.cache().string(), "-q"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(listing(s.target()), before) << "killed: the target is as it was";
  // The next run recovers (and, the wheel being unreachable at that hash, fails cleanly without touching it).
  auto recovered = s.sync();
  EXPECT_NE(recovered.exit_code, 0);
  EXPECT_EQ(listing(s.target()), before);
}

TEST(SyncTest, ConsoleScriptsRunWithTheTargetInterpreter) {
  Syncer s;
  ASSERT_EQ(s.lock_for({"alpha"}).exit_code, 0);
  ASSERT_EQ(s.sync().exit_code, 0);
  const fs::path script = s.target() / "bin" / "alpha-cli";
  ASSERT_TRUE(fs::exists(script));
  EXPECT_NE(fs::status(script).permissions() & fs::perms::owner_exec, fs::perms::none);
  auto run = run_process({"env", "PYTHONPATH=" + s.target().string(), script.string()});
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->out, "alpha cli 1.0\n") << run->err;
  std::ifstream record(s.target() / "alpha-1.0.dist-info" / "RECORD");
  std::stringstream text;
  text << record.rdbuf();
  EXPECT_NE(text.str().find("bin/alpha-cli,sha256="), std::string::npos) << text.str();
}

TEST(SyncTest, DataDirectoriesAndGuiScriptsAreMapped) {
  Syncer s;
  ASSERT_EQ(s.lock_for({"kappa"}).exit_code, 0);
  ASSERT_EQ(s.sync().exit_code, 0);
  EXPECT_TRUE(fs::exists(s.target() / "share" / "kappa" / "readme.txt")) << "data goes to the target's data root";
  EXPECT_TRUE(fs::exists(s.target() / "include" / "python" / "kappa" / "kappa.h")) << "headers under include/python/<name>, as pip --target";
  EXPECT_TRUE(fs::exists(s.target() / "kappa_extra.py")) << "purelib goes to the site directory";
  auto tool = run_process({"env", "PYTHONPATH=" + s.target().string(), (s.target() / "bin" / "kappa-tool").string()});
  ASSERT_TRUE(tool.ok());
  EXPECT_EQ(tool->out, "kappa tool 1.0\n") << tool->err << " (the #!python shebang names the target interpreter)";
  auto gui = run_process({"env", "PYTHONPATH=" + s.target().string(), (s.target() / "bin" / "kappa-gui").string()});
  ASSERT_TRUE(gui.ok());
  EXPECT_EQ(gui->out, "kappa cli 1.0\n") << gui->err;
}

TEST(SyncTest, UrlRequirementsGetDirectUrlJson) {
  Syncer s;
  const std::string url = fx().http("/public/files-nometa/gamma-1.5-py3-none-any.whl");
  ASSERT_EQ(s.lock_for({"gamma @ " + url}).exit_code, 0);
  ASSERT_EQ(s.sync().exit_code, 0);
  std::ifstream in(s.target() / "gamma-1.5.dist-info" / "direct_url.json");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("\"url\":\"" + url + "\""), std::string::npos) << text.str();
  const std::string sha = fx().wheel_sha256.at("gamma-1.5-py3-none-any.whl");
  EXPECT_NE(text.str().find("\"archive_info\":{\"hash\":\"sha256=" + sha + "\",\"hashes\":{\"sha256\":\"" + sha + "\"}}"),
            std::string::npos)
      << text.str();
}

TEST(SyncTest, LinkModeCopyMakesIndependentFiles) {
  Syncer s;
  ASSERT_EQ(s.lock_for({"gamma"}).exit_code, 0);
  ASSERT_EQ(s.sync().exit_code, 0);
  EXPECT_GT(fs::hard_link_count(s.target() / "gamma" / "__init__.py"), 1U) << "hard-linked from the cache by default";
  const fs::path copied = s.home.path() / "copied";
  auto run = run_tool({"sync", "--lock", s.lock().string(), "--target", copied.string(), "--link-mode", "copy", "--no-config",
                       "--cache-dir", s.cache().string()},
                      s.home.env());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(fs::hard_link_count(copied / "gamma" / "__init__.py"), 1U);
}

// uv's UV_LINK_MODE and `link-mode` setting mean what --link-mode means; the
// flag wins over the variable, the variable over the settings; what uvauth
// cannot do (uv's symlink mode) or does not know is refused, naming where it
// was written.
TEST(SyncTest, LinkModeFromTheVariableAndTheSettingsAsInUv) {
  Syncer s;
  ASSERT_EQ(s.lock_for({"gamma"}).exit_code, 0);
  auto sync_into = [&](const std::string& dir, std::vector<std::string> extra, std::map<std::string, std::string> env) {
    std::vector<std::string> args{"sync", "--lock", s.lock().string(), "--target", (s.home.path() / dir).string(), "--cache-dir",
                                  s.cache().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_tool(args, s.home.env(std::move(env)));
  };
  auto links = [&](const std::string& dir) { return fs::hard_link_count(s.home.path() / dir / "gamma" / "__init__.py"); };
  auto by_variable = sync_into("by-variable", {"--no-config"}, {{"UV_LINK_MODE", "copy"}});
  ASSERT_EQ(by_variable.exit_code, 0) << by_variable.err;
  EXPECT_EQ(links("by-variable"), 1U);
  auto flag_wins = sync_into("flag-wins", {"--no-config", "--link-mode", "hardlink"}, {{"UV_LINK_MODE", "copy"}});
  ASSERT_EQ(flag_wins.exit_code, 0) << flag_wins.err;
  EXPECT_GT(links("flag-wins"), 1U);

  s.home.write("uv.toml", "link-mode = \"copy\"\n");
  const std::string config = (s.home.path() / "uv.toml").string();
  auto by_settings = sync_into("by-settings", {"--config-file", config}, {});
  ASSERT_EQ(by_settings.exit_code, 0) << by_settings.err;
  EXPECT_EQ(by_settings.err.find("ignores"), std::string::npos) << by_settings.err;
  EXPECT_EQ(links("by-settings"), 1U);
  auto variable_wins = sync_into("variable-wins", {"--config-file", config}, {{"UV_LINK_MODE", "hardlink"}});
  ASSERT_EQ(variable_wins.exit_code, 0) << variable_wins.err;
  EXPECT_GT(links("variable-wins"), 1U);

  auto symlink = sync_into("symlink", {"--no-config"}, {{"UV_LINK_MODE", "symlink"}});
  EXPECT_EQ(symlink.exit_code, 2) << symlink.err;
  EXPECT_NE(symlink.err.find("UV_LINK_MODE: the symlink link mode is not supported"), std::string::npos) << symlink.err;
  auto typo = sync_into("typo", {"--no-config"}, {{"UV_LINK_MODE", "hardlnk"}});
  EXPECT_EQ(typo.exit_code, 2) << typo.err;
  EXPECT_NE(typo.err.find("UV_LINK_MODE must be clone, hardlink or copy, not 'hardlnk'"), std::string::npos) << typo.err;
  s.home.write("uv.toml", "link-mode = \"symlink\"\n");
  auto in_settings = sync_into("in-settings", {"--config-file", config}, {});
  EXPECT_NE(in_settings.exit_code, 0);
  EXPECT_NE(in_settings.err.find(config + ":1"), std::string::npos) << in_settings.err;
  EXPECT_NE(in_settings.err.find("symlink"), std::string::npos) << in_settings.err;
  EXPECT_FALSE(fs::exists(s.home.path() / "symlink") || fs::exists(s.home.path() / "typo") || fs::exists(s.home.path() / "in-settings"))
      << "nothing installed on a refusal";
}

// The cache on one filesystem (/dev/shm, a tmpfs), the target on another:
// hard links are impossible, so the tree is copied, without being asked.
TEST(SyncTest, AcrossFilesystemsTheTreeIsCopied) {
  Syncer s;
  const fs::path shm = "/dev/shm";
  struct stat a {};
  struct stat b {};
  if (::stat(shm.c_str(), &a) != 0 || ::stat(s.home.path().c_str(), &b) != 0 || a.st_dev == b.st_dev) {
    GTEST_SKIP() << "no second filesystem at /dev/shm";
  }
  const fs::path cache = shm / ("uvauth-test-cache-" + std::to_string(::getpid()));
  struct Cleanup {
    fs::path dir;
    ~Cleanup() { std::error_code ec; fs::remove_all(dir, ec); }
  } cleanup{cache};
  auto locked = run_tool({"lock", "gamma", "-o", s.lock().string(), "--no-config", "--cache-dir", cache.string(),
                          "--index-url", primary()},
                         s.home.env());
  ASSERT_EQ(locked.exit_code, 0) << locked.err;
  auto run = run_tool({"sync", "--lock", s.lock().string(), "--target", s.target().string(), "--no-config",
                       "--cache-dir", cache.string()},
                      s.home.env());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(fs::hard_link_count(s.target() / "gamma" / "__init__.py"), 1U);
  EXPECT_EQ(s.python("import gamma; print(gamma.VERSION)"), "1.5\n");
}

// --cache-dir, else $UVAUTH_CACHE_DIR, else $XDG_CACHE_HOME/uvauth, else ~/.cache/uvauth.
TEST(SyncTest, TheCacheLivesWhereTheEnvironmentSays) {
  TempHome home;
  const std::string root = home.path().string();
  auto where = [&](std::map<std::string, std::string> env, std::vector<std::string> flags = {}) {
    std::vector<std::string> args = flags;
    args.insert(args.end(), {"cache", "dir"});
    auto run = run_tool(args, home.env(std::move(env)));
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run.out;
  };
  EXPECT_EQ(where({{"UVAUTH_CACHE_DIR", ""}, {"XDG_CACHE_HOME", ""}}), root + "/.cache/uvauth\n");
  EXPECT_EQ(where({{"UVAUTH_CACHE_DIR", ""}, {"XDG_CACHE_HOME", root + "/xdg"}}), root + "/xdg/uvauth\n");
  EXPECT_EQ(where({{"UVAUTH_CACHE_DIR", root + "/mine"}, {"XDG_CACHE_HOME", root + "/xdg"}}), root + "/mine\n");
  EXPECT_EQ(where({{"UVAUTH_CACHE_DIR", root + "/mine"}}, {"--cache-dir", root + "/flag"}), root + "/flag\n");
}

TEST(SyncTest, AVirtualEnvironmentWithoutPip) {
  Syncer s;
  ASSERT_EQ(s.lock_for({"alpha"}).exit_code, 0);
  const fs::path venv = s.home.path() / "venv";
  auto run = run_tool({"sync", "--lock", s.lock().string(), "--venv", venv.string(), "--no-config", "--cache-dir", s.cache().string()},
                      s.home.env());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(fs::exists(venv / "pyvenv.cfg"));
  EXPECT_TRUE(fs::is_symlink(venv / "bin" / "python"));
  auto imported = run_process({(venv / "bin" / "python").string(), "-c", "import sys, alpha, beta; print(sys.prefix == sys.base_prefix, alpha.VERSION)"});
  ASSERT_TRUE(imported.ok());
  EXPECT_EQ(imported->out, "False 1.0\n") << imported->err;
  auto cli = run_process({(venv / "bin" / "alpha-cli").string()});
  ASSERT_TRUE(cli.ok());
  EXPECT_EQ(cli->out, "alpha cli 1.0\n") << cli->err;
  EXPECT_FALSE(fs::exists(venv / "bin" / "pip"));
}

TEST(SyncTest, InstallLocksInMemoryThenSyncs) {
  Syncer s;
  auto run = run_tool({"install", "gamma", "eta", "--target", s.target().string(), "--index-url", primary(), "--no-config",
                       "--cache-dir", s.cache().string()},
                      s.home.env());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("Installed 2 packages"), std::string::npos) << run.err;
  EXPECT_EQ(s.python("import gamma, eta; print(gamma.VERSION, eta.VERSION)"), "1.5 1.0\n");
  EXPECT_FALSE(fs::exists(s.home.path() / "pylock.toml")) << "install writes no lock";
}

TEST(SyncTest, UsageErrorsComeBeforeAnyRequestAndPluralsAreRight) {
  Syncer s;
  auto both = run_tool({"install", "--no-config", "--index-url", fx().http("/public/index-html/simple/?" + testing::test_tag()),
                        "epsilon", "--target", (s.home.path() / "a").string(), "--venv", (s.home.path() / "b").string()},
                       s.home.env());
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.err.find("give exactly one of --target DIR and --venv DIR"), std::string::npos) << both.err;
  EXPECT_TRUE(fx().requests(testing::test_tag(), 0, std::chrono::milliseconds(300)).empty()) << "no request was sent";
  ASSERT_EQ(s.lock_for({"epsilon"}).exit_code, 0);
  auto first = s.sync();
  EXPECT_NE(first.err.find("Downloading 1 wheel\n"), std::string::npos) << first.err;
  auto again = s.sync();
  EXPECT_NE(again.err.find("is up to date (1 package)"), std::string::npos) << again.err;
}

TEST(SyncTest, TwoSyncsShareOneEmptyCacheAtOnce) {
  Syncer s;
  ASSERT_EQ(s.lock_for({"alpha[fast]", "dia-a", "dia-b"}).exit_code, 0);
  std::vector<pid_t> pids;
  for (const char* name : {"one", "two"}) {
    std::vector<std::string> args{testing::tool_path(), "sync", "--lock", s.lock().string(), "--target",
                                  (s.home.path() / name).string(), "--no-config", "--cache-dir", s.cache().string(), "-q"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    ASSERT_EQ(posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ), 0);
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  EXPECT_EQ(listing(s.home.path() / "one"), listing(s.home.path() / "two"));
  EXPECT_TRUE(fs::exists(s.home.path() / "one" / "dia_c-1.0.dist-info"));
}

TEST(CacheCommandTest, DirCleanAndPrune) {
  Syncer s;
  ASSERT_EQ(s.lock_for({"gamma"}).exit_code, 0);
  ASSERT_EQ(s.sync().exit_code, 0);
  auto dir = run_tool({"cache", "dir", "--cache-dir", s.cache().string()}, s.home.env());
  EXPECT_EQ(dir.out, s.cache().string() + "\n");
  fs::create_directories(s.cache() / "wheels-v0" / "old");
  s.home.write("cache/wheels-v1/ab/x.whl.download-99", "partial");
  auto prune = run_tool({"cache", "prune", "--cache-dir", s.cache().string()}, s.home.env());
  ASSERT_EQ(prune.exit_code, 0) << prune.err;
  EXPECT_FALSE(fs::exists(s.cache() / "wheels-v0"));
  EXPECT_FALSE(fs::exists(s.cache() / "wheels-v1" / "ab" / "x.whl.download-99"));
  EXPECT_TRUE(fs::exists(s.cache() / "unpacked-v1"));
  auto clean = run_tool({"cache", "clean", "--cache-dir", s.cache().string()}, s.home.env());
  ASSERT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_FALSE(fs::exists(s.cache() / "unpacked-v1"));
  EXPECT_TRUE(fs::exists(s.target() / "gamma-1.5.dist-info")) << "installed trees do not depend on the cache";
  EXPECT_EQ(s.python("import gamma; print(gamma.VERSION)"), "1.5\n");
}

// `uvauth cache clean NAME`, as `uv cache clean NAME`: that project's pages,
// metadata, wheels and unpacked trees go; the rest stays. Seen: the name
// was refused ("The following argument was not expected").
TEST(CacheCommandTest, CleanOfNamedProjectsLeavesTheRest) {
  Syncer s;
  ASSERT_EQ(s.lock_for({"gamma", "dia-a"}).exit_code, 0);
  ASSERT_EQ(s.sync().exit_code, 0);
  auto trees_of = [&](const std::string& dist_info_prefix) {
    int n = 0;
    for (const auto& tree : fs::directory_iterator(s.cache() / "unpacked-v1")) {
      for (const auto& entry : fs::directory_iterator(tree.path())) {
        if (entry.path().filename().string().rfind(dist_info_prefix, 0) == 0) ++n;
      }
    }
    return n;
  };
  auto pages_naming = [&](const std::string& segment) {
    int n = 0;
    for (const auto& entry : fs::directory_iterator(s.cache() / "simple-v1")) {
      auto text = read_file(entry.path());
      if (text && text->find(segment) != std::string::npos) ++n;
    }
    return n;
  };
  ASSERT_EQ(trees_of("gamma-"), 1);
  ASSERT_EQ(trees_of("dia_a-"), 1);
  ASSERT_GE(pages_naming("/gamma/\""), 1);
  auto clean = run_tool({"cache", "clean", "Gamma", "--cache-dir", s.cache().string()}, s.home.env());
  ASSERT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_NE(clean.err.find("of gamma"), std::string::npos) << clean.err;
  EXPECT_EQ(trees_of("gamma-"), 0);
  EXPECT_EQ(pages_naming("/gamma/\""), 0);
  EXPECT_EQ(trees_of("dia_a-"), 1) << "another project's tree stays";
  EXPECT_GE(pages_naming("/dia-a/\""), 1) << "another project's page stays";
  auto again = run_tool({"cache", "clean", "gamma", "--cache-dir", s.cache().string()}, s.home.env());
  EXPECT_NE(again.err.find("No cache entries for gamma"), std::string::npos) << again.err;
  auto bad = run_tool({"cache", "clean", "no such", "--cache-dir", s.cache().string()}, s.home.env());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("is not a project name"), std::string::npos) << bad.err;
  fs::remove_all(s.target());
  auto resync = s.sync();
  ASSERT_EQ(resync.exit_code, 0) << resync.err;
  EXPECT_EQ(trees_of("gamma-"), 1) << "downloaded and unpacked again";
  // Without the pages bucket, the trees still say whose they are, and
  // the wheels of the same digests go with them.
  auto wheels = [&] {
    int n = 0;
    for (const auto& entry : fs::recursive_directory_iterator(s.cache() / "wheels-v1")) n += entry.is_regular_file() ? 1 : 0;
    return n;
  };
  const int wheels_before = wheels();
  fs::remove_all(s.cache() / "simple-v1");
  auto no_pages = run_tool({"cache", "clean", "dia-a", "--cache-dir", s.cache().string()}, s.home.env());
  ASSERT_EQ(no_pages.exit_code, 0) << no_pages.err;
  EXPECT_EQ(trees_of("dia_a-"), 0);
  EXPECT_EQ(wheels(), wheels_before - 1) << no_pages.err;
}

// Hostile and broken wheels, made with Python's zipfile.
fs::path make_zip(const TempHome& home, const std::string& name, const std::string& python_body) {
  const fs::path out = home.path() / name;
  const auto script = home.write(name + ".py", "import zipfile, sys\nz = zipfile.ZipFile(sys.argv[1], 'w')\n" + python_body + "z.close()\n");
  auto run = run_process({"python3", script.string(), out.string()});
  EXPECT_TRUE(run.ok() && run->exit_code == 0) << (run ? run->err : run.error().message);
  return out;
}

struct BadWheel {
  const char* name;
  const char* body;
  const char* message;
};

TEST(UnpackTest, HostileOrBrokenWheelsAreRefused) {
  TempHome home;
  const std::string ok_meta = "z.writestr('x-1.0.dist-info/WHEEL', 'Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\n')\n";
  const BadWheel cases[] = {
      {"traversal", "z.writestr('../evil.py', 'x')\n", "would be written outside the install directory"},
      {"absolute", "z.writestr('/etc/evil', 'x')\n", "would be written outside the install directory"},
      {"symlink", "i = zipfile.ZipInfo('x/link'); i.create_system = 3; i.external_attr = 0o120777 << 16; z.writestr(i, '/etc/passwd')\n",
       "is a symbolic link"},
      {"unrecorded", "z.writestr('x/a.py', 'a')\nz.writestr('x-1.0.dist-info/RECORD', '')\n", "is not listed in RECORD"},
      {"badhash", "z.writestr('x/a.py', 'a')\nz.writestr('x-1.0.dist-info/RECORD', 'x/a.py,sha256=AAAA,1\\nx-1.0.dist-info/WHEEL,sha256=AAAA,1\\n')\n",
       "hash mismatch for '"},
      {"badsize", "z.writestr('x/a.py', 'a')\nz.writestr('x-1.0.dist-info/RECORD', 'x/a.py,sha256=ypeBEsobvcr6wjGzmiPcTaeG7_gUfE5yuYB3ha_uSLs,5\\nx-1.0.dist-info/WHEEL,sha256=pOC2U1k6hCf_vkZe7h2snGRWx-C20Xjuc3a02KQn2OY,41\\n')\n",
       "size mismatch for 'x/a.py': RECORD says 5 bytes, the file has 1"},
      {"norecord", "z.writestr('x/a.py', 'a')\n", "no *.dist-info/RECORD"},
      {"wheelversion", "z.writestr('x-2.0.dist-info/WHEEL', 'Wheel-Version: 2.0\\n')\nz.writestr('x-2.0.dist-info/RECORD', '')\n",
       "unsupported Wheel-Version 2.0"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const bool bare = std::string(c.name) == "norecord" || std::string(c.name) == "wheelversion";
    const fs::path wheel = make_zip(home, std::string(c.name) + ".whl", std::string(c.body) + (bare ? "" : ok_meta));
    const fs::path dest = home.path() / (std::string("out-") + c.name);
    auto result = install::unpack_wheel(wheel, dest, std::string(c.name) + ".whl");
    ASSERT_FALSE(result.ok());
    EXPECT_NE(result.error().message.find(c.message), std::string::npos) << result.error().message;
    EXPECT_FALSE(fs::exists(dest)) << "nothing half-written";
    EXPECT_FALSE(fs::exists(home.path() / "evil.py"));
  }
  std::ofstream(home.path() / "truncated.whl") << "PK\x03\x04 this is not a whole zip";
  auto truncated = install::unpack_wheel(home.path() / "truncated.whl", home.path() / "out-t", "truncated.whl");
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.error().message.find("truncated.whl: not a readable wheel"), std::string::npos) << truncated.error().message;
  std::ofstream(home.path() / "empty.whl").close();
  auto empty = install::unpack_wheel(home.path() / "empty.whl", home.path() / "out-e", "empty.whl");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("empty.whl: not a readable wheel (zip): the file is empty"), std::string::npos) << empty.error().message;
}

TEST(UnpackTest, ASizeLimitStopsZipBombs) {
  TempHome home;
  const fs::path wheel = make_zip(home, "bomb.whl",
                                  "z.writestr(zipfile.ZipInfo('x/big'), b'0' * (8 << 20), zipfile.ZIP_DEFLATED)\n"
                                  "z.writestr('x-1.0.dist-info/RECORD', '')\n");
  install::UnpackLimits limits;
  limits.max_total_bytes = 1 << 20;
  auto result = install::unpack_wheel(wheel, home.path() / "out", "bomb.whl", limits);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("declare more than"), std::string::npos) << result.error().message;
}

// Seen: a 5 MB wheel declaring 5 x 1 GiB members was refused only after
// about 4 GiB had been written. Its directory is now checked first.
TEST(UnpackTest, DeclaredSizesAreCheckedBeforeAnythingIsWritten) {
  TempHome home;
  const fs::path wheel = make_zip(home, "declared.whl",
                                  "for i in range(5): z.writestr('x/m%d' % i, b'0' * 1024)\n"
                                  "z.writestr('x-1.0.dist-info/RECORD', '')\n"
                                  "z.close()\n"
                                  "import struct\n"
                                  "data = bytearray(open(sys.argv[1], 'rb').read())\n"
                                  "for sig, at in ((b'PK\\x01\\x02', 24), (b'PK\\x03\\x04', 22)):\n"
                                  "    i = data.find(sig)\n"
                                  "    while i >= 0:\n"
                                  "        name_len = struct.unpack_from('<H', data, i + (28 if sig == b'PK\\x01\\x02' else 26))[0]\n"
                                  "        if not data[i + (46 if sig == b'PK\\x01\\x02' else 30):][:name_len].startswith(b'x-1.0'):\n"
                                  "            struct.pack_into('<I', data, i + at, 1 << 30)\n"
                                  "        i = data.find(sig, i + 4)\n"
                                  "open(sys.argv[1], 'wb').write(data)\n"
                                  "z = zipfile.ZipFile(sys.argv[1] + '.unused', 'w')\n");
  const fs::path dest = home.path() / "out";
  auto result = install::unpack_wheel(wheel, dest, "declared.whl");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("declared.whl"), std::string::npos) << result.error().message;
  EXPECT_FALSE(fs::exists(dest));
  std::uintmax_t written = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(home.path(), ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file()) written += it->file_size();
  }
  EXPECT_LT(written, std::uintmax_t{1} << 20) << "nothing of the declared gigabytes was written";
}

// Deflated members up to 4 MiB are inflated whole with libdeflate, larger ones
// stream through zlib: both give the bytes Python's zipfile wrote, and a
// member whose CRC, size or data lies is refused by either.
TEST(UnpackTest, DeflatedMembersAreInflatedWholeOrStreamedAndChecked) {
  TempHome home;
  const std::string writer =
      "import base64, hashlib, random, struct\n"
      "random.seed(7)\n"
      "members = {'x/small.py': b'print(1)\\n' * 300, 'x/empty.py': b'',\n"
      "           'x/big.bin': random.randbytes(5 << 20).translate(bytes(i & 15 for i in range(256))),\n"
      "           'x/stored.txt': b'kept as it is'}\n"
      "record = ''\n"
      "for name, data in members.items():\n"
      "    kind = zipfile.ZIP_STORED if name.endswith('.txt') else zipfile.ZIP_DEFLATED\n"
      "    z.writestr(zipfile.ZipInfo(name), data, kind)\n"
      "    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()\n"
      "    record += '%s,sha256=%s,%d\\n' % (name, digest, len(data))\n"
      "z.writestr('x-1.0.dist-info/WHEEL', 'Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\n')\n"
      "w = base64.urlsafe_b64encode(hashlib.sha256(b'Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\n').digest()).rstrip(b'=').decode()\n"
      "z.writestr('x-1.0.dist-info/RECORD', record + 'x-1.0.dist-info/WHEEL,sha256=%s,41\\nx-1.0.dist-info/RECORD,,\\n' % w)\n"
      "z.close()\n"
      "open(sys.argv[1] + '.expected', 'wb').write(b''.join(members[n] for n in sorted(members)))\n"
      // PATCH: (member, field, value) edits made in both headers; field 'crc', 'size' (+/- delta) or 'data'.
      "data = bytearray(open(sys.argv[1], 'rb').read())\n"
      "for member, field, value in PATCH:\n"
      "    for sig, name_at, len_at, crc_at in ((b'PK\\x01\\x02', 46, 28, 16), (b'PK\\x03\\x04', 30, 26, 14)):\n"
      "        i = data.find(sig)\n"
      "        while i >= 0:\n"
      "            n, x = struct.unpack_from('<HH', data, i + len_at)\n"
      "            if data[i + name_at:i + name_at + n] == member.encode():\n"
      "                if field == 'crc': struct.pack_into('<I', data, i + crc_at, value)\n"
      "                if field == 'size':\n"
      "                    struct.pack_into('<I', data, i + crc_at + 8, struct.unpack_from('<I', data, i + crc_at + 8)[0] + value)\n"
      "                if field == 'data' and sig == b'PK\\x03\\x04': data[i + 30 + n + x:i + 30 + n + x + 16] = b'\\xff' * 16\n"
      "            i = data.find(sig, i + 4)\n"
      "open(sys.argv[1], 'wb').write(data)\n"
      "z = zipfile.ZipFile(sys.argv[1] + '.unused', 'w')\n";
  const fs::path good = make_zip(home, "good.whl", "PATCH = []\n" + writer);
  auto unpacked = install::unpack_wheel(good, home.path() / "out-good", "good.whl");
  ASSERT_TRUE(unpacked.ok()) << unpacked.error().message;
  std::string joined;
  for (const char* name : {"x/big.bin", "x/empty.py", "x/small.py", "x/stored.txt"}) joined += read_file(home.path() / "out-good" / name).value();
  EXPECT_TRUE(joined == read_file(home.path() / "good.whl.expected").value()) << "the unpacked bytes are Python's";
  EXPECT_EQ(unpacked->sizes.at("x/big.bin"), std::uint64_t{5} << 20);

  const std::pair<const char*, const char*> lies[] = {
      // Inflated whole (libdeflate): the messages only that path gives.
      {"[('x/small.py', 'crc', 12345)]", "'x/small.py' is corrupt: CRC error"},
      {"[('x/small.py', 'size', -1)]", "'x/small.py' is larger than its directory says"},
      {"[('x/small.py', 'size', 1)]", "'x/small.py' is smaller than its directory says"},
      {"[('x/small.py', 'data', 0)]", "'x/small.py' is corrupt: its compressed data is invalid"},
      // Streamed (libzip's zlib).
      {"[('x/big.bin', 'crc', 12345)]", "'x/big.bin' is corrupt"},
      {"[('x/big.bin', 'data', 0)]", "'x/big.bin' is corrupt"},
  };
  int k = 0;
  for (const auto& [patch, message] : lies) {
    SCOPED_TRACE(patch);
    const std::string name = "lie" + std::to_string(++k) + ".whl";
    const fs::path wheel = make_zip(home, name, std::string("PATCH = ") + patch + "\n" + writer);
    const fs::path dest = home.path() / ("out-" + name);
    auto result = install::unpack_wheel(wheel, dest, name);
    ASSERT_FALSE(result.ok());
    EXPECT_NE(result.error().message.find(name + ": " + message), std::string::npos) << result.error().message;
    EXPECT_FALSE(fs::exists(dest)) << "nothing half-written";
  }
}

// Seen: evil-1.0-py3-none-any.whl holding only base-1.0.dist-info replaced
// the installed `base`.
TEST(UnpackTest, AWheelHoldingAnotherDistributionIsRefused) {
  TempHome home;
  const fs::path wheel = make_zip(home, "evil-1.0-py3-none-any.whl",
                                  "z.writestr('base/__init__.py', 'EVIL = 1')\n"
                                  "z.writestr('base-1.0.dist-info/WHEEL', 'Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\n')\n"
                                  "z.writestr('base-1.0.dist-info/RECORD', '')\n");
  auto result = install::unpack_wheel(wheel, home.path() / "out", "evil-1.0-py3-none-any.whl", {},
                                      install::ExpectedDistribution{"evil", *pep::Version::parse("1.0")});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("it holds base-1.0.dist-info, not evil 1.0"), std::string::npos) << result.error().message;
  EXPECT_FALSE(fs::exists(home.path() / "out"));
  const fs::path two = make_zip(home, "two-1.0-py3-none-any.whl",
                                "z.writestr('two-1.0.dist-info/RECORD', '')\nz.writestr('base-1.0.dist-info/RECORD', '')\n");
  auto both = install::unpack_wheel(two, home.path() / "out2", "two-1.0-py3-none-any.whl", {},
                                    install::ExpectedDistribution{"two", *pep::Version::parse("1.0")});
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.error().message.find("2 .dist-info directories"), std::string::npos) << both.error().message;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Seen: a lock whose sha256 was '../../../escape/' + 48 * 'a' made sync
// write (and install from) <cache>/../../../escape/...
TEST(SyncTest, ATamperedLockHashNeverBecomesAPath) {
  Syncer s;
  ASSERT_EQ(s.lock_for({"gamma"}).exit_code, 0);
  std::string lock = read_text(s.lock());
  const std::string good = fx().wheel_sha256.at("gamma-1.5-py3-none-any.whl");
  const std::string evil = "../../../escape/" + std::string(48, 'a');
  lock.replace(lock.find(good), good.size(), evil);
  s.home.write("pylock.toml", lock);
  // A wheel already waiting where the unchecked hash would have pointed.
  const fs::path planted = s.cache() / "wheels-v1" / ".." / ".." / ".." / "escape";
  fs::create_directories(planted);
  auto run = s.sync();
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("is not a SHA-256 digest (64 hex digits)"), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(s.target()));
  EXPECT_TRUE(fs::is_empty(planted)) << "nothing written outside the cache";
  fs::remove_all(planted);
}

TEST(SyncTest, ALockNamingAnotherProjectsWheelIsRefused) {
  Syncer s;
  ASSERT_EQ(s.lock_for({"gamma"}).exit_code, 0);
  std::string lock = read_text(s.lock());
  lock.replace(lock.find("name = 'gamma-1.5"), 16, "name = 'alpha-1.0");
  s.home.write("pylock.toml", lock);
  auto run = s.sync();
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("which is not a wheel of that version"), std::string::npos) << run.err;
}

// Seen: a METADATA or lock text with ESC]0;title BEL ESC[2J reached the terminal raw.
TEST(SyncTest, ControlCharactersFromInputAreEscapedInMessages) {
  Syncer s;
  s.home.write("pylock.toml", "lock-version = \"1.0\"\n[[packages]]\nname = \"\\u001b]0;title\\u0007\\u001b[2J\"\nversion = \"1.0\"\n");
  auto run = s.sync();
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err.find('\x1b'), std::string::npos) << "no raw ESC";
  EXPECT_EQ(run.err.find('\x07'), std::string::npos) << "no raw BEL";
  EXPECT_NE(run.err.find("\\x1b]0;title\\x07\\x1b[2J"), std::string::npos) << run.err;
}

// The lock's size caps the body: a server sending more is cut off at once.
TEST(SyncTest, ABodyLargerThanTheLockedSizeIsCutOff) {
  Syncer s;
  ASSERT_EQ(s.lock_for({"gamma"}).exit_code, 0);
  std::string lock = read_text(s.lock());
  const auto at = lock.find("name = 'gamma-1.5-py3-none-any.whl'");
  ASSERT_NE(at, std::string::npos) << lock;
  lock.insert(lock.find('\n', at) + 1, "size = 100\n");
  s.home.write("pylock.toml", lock);
  auto run = s.sync();
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("larger than the 100 bytes expected"), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(s.target()));
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(s.cache() / "wheels-v1", ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    EXPECT_FALSE(it->is_regular_file()) << "no partial download is left: " << it->path();
  }
}

pid_t spawn_tool(const std::vector<std::string>& tool_args, const fs::path& err_file) {
  std::vector<std::string> args{testing::tool_path()};
  args.insert(args.end(), tool_args.begin(), tool_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = 0;
  EXPECT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

// Seen: a second sync started while the first was staging deleted the
// first one's staging tree; both exited 0 and the target missed packages.
TEST(SyncTest, ASecondSyncOfOneTargetWaitsForTheFirst) {
  Syncer s;
  ASSERT_EQ(s.lock_for({"alpha[fast]", "dia-a", "dia-b"}).exit_code, 0);
  // Hold the target's lock as a running sync does.
  const int fd = ::open((s.target().string() + ".uvauth.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  const fs::path err = s.home.path() / "second.err";
  const pid_t pid = spawn_tool({"sync", "--lock", s.lock().string(), "--target", s.target().string(), "--no-config",
                                "--cache-dir", s.cache().string()},
                               err);
  // It says it waits (polled for up to 20 s: a sanitized build on a busy
  // machine starts slowly), and keeps waiting while the lock is held.
  constexpr const char* waiting = "waiting for another process that holds the lock on the directory";
  for (int i = 0; i < 200 && read_text(err).find(waiting) == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, WNOHANG), 0) << "it waits while the lock is held";
  EXPECT_NE(read_text(err).find(waiting), std::string::npos) << read_text(err);
  EXPECT_FALSE(fs::exists(s.target()));
  ::close(fd);
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read_text(err);
  EXPECT_TRUE(fs::exists(s.target() / "dia_c-1.0.dist-info"));
}

TEST(SyncTest, TwoSyncsOfOneTargetAtOnceBothComplete) {
  Syncer s;
  ASSERT_EQ(s.lock_for({"alpha[fast]", "dia-a", "dia-b"}).exit_code, 0);
  std::vector<pid_t> pids;
  for (const char* name : {"one.err", "two.err"}) {
    pids.push_back(spawn_tool({"sync", "--lock", s.lock().string(), "--target", s.target().string(), "--no-config",
                               "--cache-dir", s.cache().string()},
                              s.home.path() / name));
  }
  for (pid_t pid : pids) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto pip = run_process({"python3", "-m", "pip", "list", "--path", s.target().string(), "--format", "freeze"});
  ASSERT_TRUE(pip.ok());
  EXPECT_EQ(pip->out, "alpha==1.0\nbeta==2.0\ndia-a==1.0\ndia-b==2.0\ndia-c==1.0\ngamma==1.5\n") << pip->err;
}

TEST(SyncTest, LeftoversOfALiveProcessAreLeftAlone) {
  Syncer s;
  ASSERT_EQ(s.lock_for({"gamma"}).exit_code, 0);
  // A staging tree of a live process (this test) that does not take the lock.
  const std::string live = "target.uvauth-staging-" + std::to_string(::getpid());
  s.home.write(live + "/busy", "in use\n");
  auto run = s.sync();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(fs::exists(s.home.path() / live / "busy"));
}


// ---- Installs identical to pip's: hand-made wheels through install_tree ----

struct Installed {
  TempHome home;
  fs::path target() const { return home.path() / "t"; }
  fs::path python() const { return "/usr/bin/python3"; }
  // Makes `name`-1.0 with `body` (zipfile calls on `z`), a correct RECORD, and installs it.
  Result<install::InstalledDistribution> install(const std::string& name, const std::string& body,
                                                 const std::optional<fs::path>& python = std::nullopt) {
    const std::string script =
        "import base64, hashlib\n"
        "files = {}\n"
        "class Z:\n"
        "    def writestr(self, info, data, *a):\n"
        "        n = info.filename if isinstance(info, zipfile.ZipInfo) else info\n"
        "        files[n] = (info, data.encode() if isinstance(data, str) else data)\n"
        "real, z = z, Z()\n" +
        body +
        "d = '" + name + "-1.0.dist-info'\n"
        "z.writestr(d + '/METADATA', 'Metadata-Version: 2.1\\nName: " + name + "\\nVersion: 1.0\\n')\n"
        "z.writestr(d + '/WHEEL', 'Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n')\n"
        "rec = ''\n"
        "for n, (info, data) in files.items():\n"
        "    h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()\n"
        "    rec += '%s,sha256=%s,%d\\n' % (n, h, len(data))\n"
        "    real.writestr(info, data)\n"
        "real.writestr(d + '/RECORD', rec + d + '/RECORD,,\\n')\n"
        "z = real\n";
    const fs::path wheel = make_zip(home, name + "-1.0-py3-none-any.whl", script);
    auto unpacked = install::unpack_wheel(wheel, home.path() / ("unpacked-" + name), wheel.filename().string());
    if (!unpacked) return std::move(unpacked).error();
    install::InstallRequest request;
    return install::install_tree(*unpacked, install::target_layout(target(), python.value_or(this->python())), request);
  }
};

// Seen: a .data/scripts file that is only `#!python` (no newline) aborted
// with std::out_of_range (exit 134).
TEST(InstallerTest, AScriptThatIsOnlyAShebangGetsTheInterpreter) {
  Installed i;
  auto done = i.install("bare", "z.writestr('bare-1.0.data/scripts/bare', '#!python')\n");
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(read_text(i.target() / "bin" / "bare"), "#!/usr/bin/python3\n");
}

// Seen on flask, ipython, pygments, sympy, pip, ...: RECORD listed bin/<name>
// twice, once with the wrong hash, when a .data script and an entry point
// share a name.
TEST(InstallerTest, ALauncherReplacesADataScriptOfTheSameNameAndRecordHasOneRow) {
  Installed i;
  auto done = i.install("dup",
                        "z.writestr('dup/__init__.py', 'def main():\\n    print(\"launcher\")\\n')\n"
                        "z.writestr('dup-1.0.data/scripts/dup', '#!python\\nprint(\"data script\")\\n')\n"
                        "z.writestr('dup-1.0.dist-info/entry_points.txt', '[console_scripts]\\ndup = dup:main\\n')\n");
  ASSERT_TRUE(done.ok()) << done.error().message;
  const std::string record = read_text(i.target() / "dup-1.0.dist-info" / "RECORD");
  std::size_t rows = 0;
  for (std::size_t at = record.find("bin/dup,"); at != std::string::npos; at = record.find("bin/dup,", at + 1)) ++rows;
  EXPECT_EQ(rows, 1U) << record;
  const std::string launcher = read_text(i.target() / "bin" / "dup");
  EXPECT_NE(launcher.find("from dup import main"), std::string::npos) << launcher;
  // The row's hash is the file's.
  const auto row = record.substr(record.find("bin/dup,"));
  const std::string hash = row.substr(8, row.find(',', 8) - 8);
  EXPECT_EQ(hash, install::record_hash_of_hex(Sha256::hex_of(launcher)));
}

// Seen: in a venv whose path has a space, `#!/path/with space/bin/python`
// was split by the kernel.
TEST(InstallerTest, LaunchersWorkWhenTheInterpreterPathHasASpace) {
  Installed i;
  const fs::path spaced = i.home.path() / "with space" / "python3";
  fs::create_directories(spaced.parent_path());
  fs::create_symlink("/usr/bin/python3", spaced);
  auto done = i.install("spc",
                        "z.writestr('spc/__init__.py', 'def main():\\n    print(\"spc ran\")\\n')\n"
                        "z.writestr('spc-1.0.data/scripts/spc-tool', '#!python\\nprint(\"tool ran\")\\n')\n"
                        "z.writestr('spc-1.0.dist-info/entry_points.txt', '[console_scripts]\\nspc = spc:main\\n')\n",
                        spaced);
  ASSERT_TRUE(done.ok()) << done.error().message;
  const std::string launcher = read_text(i.target() / "bin" / "spc");
  EXPECT_EQ(launcher.rfind("#!/bin/sh\n'''exec' '" + spaced.string() + "' \"$0\" \"$@\"\n' '''\n", 0), 0U) << launcher;
  auto run = run_process({"env", "PYTHONPATH=" + i.target().string(), (i.target() / "bin" / "spc").string()});
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->out, "spc ran\n") << run->err;
  auto tool = run_process({"sh", (i.target() / "bin" / "spc-tool").string()});
  ASSERT_TRUE(tool.ok());
  EXPECT_EQ(tool->out, "tool ran\n") << tool->err;
  // Over 127 bytes: the same wrapper.
  EXPECT_EQ(install::shebang_for("/" + std::string(130, 'p') + "/python").rfind("#!/bin/sh\n", 0), 0U);
  EXPECT_EQ(install::shebang_for("/usr/bin/python3"), "#!/usr/bin/python3");
}

// pip --target puts headers in include/python/<name>/; scripts keep the
// archive's permission bits, and Windows-made archives' scripts get +x.
TEST(InstallerTest, HeadersAndScriptModesAsPipHasThem) {
  Installed i;
  auto done = i.install("hdr",
                        "z.writestr('hdr-1.0.data/headers/hdr.h', '#define HDR 1\\n')\n"
                        "x = zipfile.ZipInfo('hdr-1.0.data/scripts/plain'); x.create_system = 3; x.external_attr = 0o100644 << 16\n"
                        "z.writestr(x, '#!/bin/sh\\necho plain\\n')\n"
                        "x = zipfile.ZipInfo('hdr-1.0.data/scripts/exe'); x.create_system = 3; x.external_attr = 0o100755 << 16\n"
                        "z.writestr(x, '#!/bin/sh\\necho exe\\n')\n"
                        "x = zipfile.ZipInfo('hdr-1.0.data/scripts/win'); x.create_system = 0\n"
                        "z.writestr(x, '#!/bin/sh\\necho win\\n')\n");
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_TRUE(fs::exists(i.target() / "include" / "python" / "hdr" / "hdr.h"));
  auto mode = [&](const char* name) { return fs::status(i.target() / "bin" / name).permissions() & fs::perms::owner_exec; };
  EXPECT_EQ(mode("plain"), fs::perms::none);
  EXPECT_EQ(mode("exe"), fs::perms::owner_exec);
  EXPECT_EQ(mode("win"), fs::perms::owner_exec);
  // pip, from the same wheel, agrees on where each file goes and its mode.
  const fs::path by_pip = i.home.path() / "pip";
  auto pip = run_process({"python3", "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", by_pip.string(),
                          (i.home.path() / "hdr-1.0-py3-none-any.whl").string()});
  ASSERT_TRUE(pip.ok() && pip->exit_code == 0) << (pip ? pip->err : pip.error().message);
  EXPECT_TRUE(fs::exists(by_pip / "include" / "python" / "hdr" / "hdr.h"));
  EXPECT_EQ(fs::status(by_pip / "bin" / "plain").permissions() & fs::perms::owner_exec, mode("plain"));
  EXPECT_EQ(fs::status(by_pip / "bin" / "exe").permissions() & fs::perms::owner_exec, mode("exe"));
}

// Seen: a user editing a file in a hard-linked target changed what later
// installs got, while their RECORD claimed the original hash.
TEST(SyncTest, AFileEditedThroughAHardLinkIsNotSpreadToTheNextTarget) {
  Syncer s;
  ASSERT_EQ(s.lock_for({"gamma"}).exit_code, 0);
  ASSERT_EQ(s.sync({"--link-mode", "hardlink"}).exit_code, 0);
  const fs::path edited = s.target() / "gamma" / "__init__.py";
  ASSERT_GT(fs::hard_link_count(edited), 1U);
  const std::string original = read_text(edited);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::ofstream(edited, std::ios::app) << "EDITED = True\n";
  const fs::path second = s.home.path() / "second";
  auto run = run_tool({"sync", "--lock", s.lock().string(), "--target", second.string(), "--no-config", "--cache-dir",
                       s.cache().string(), "--link-mode", "hardlink"},
                      s.home.env());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("was modified after it was unpacked"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("; unpacking gamma-1.5-py3-none-any.whl again"), std::string::npos)
      << run.err;
  EXPECT_EQ(read_text(second / "gamma" / "__init__.py"), original);
}

// Cache entries are not flushed: after a crash, a cached file may be cut
// short while its time still says it is older than the tree's marker. The
// size the tree was unpacked with catches it, from the stat already made.
TEST(SyncTest, ACachedFileCutShortWithItsOldTimeIsUnpackedAgain) {
  Syncer s;
  ASSERT_EQ(s.lock_for({"gamma"}).exit_code, 0);
  ASSERT_EQ(s.sync({"--link-mode", "hardlink"}).exit_code, 0);
  const fs::path linked = s.target() / "gamma" / "__init__.py";
  ASSERT_GT(fs::hard_link_count(linked), 1U);
  const std::string original = read_text(linked);
  ASSERT_FALSE(original.empty());
  const auto time = fs::last_write_time(linked);
  fs::resize_file(linked, 0);
  fs::last_write_time(linked, time);
  const fs::path second = s.home.path() / "second";
  auto run = run_tool({"sync", "--lock", s.lock().string(), "--target", second.string(), "--no-config", "--cache-dir",
                       s.cache().string(), "--link-mode", "hardlink"},
                      s.home.env());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("was modified after it was unpacked: it has 0 bytes, not " + std::to_string(original.size()) +
                         "; unpacking gamma-1.5-py3-none-any.whl again"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(read_text(second / "gamma" / "__init__.py"), original);
}

}  // namespace
}  // namespace uvauth
