// The everyday workflows uv and pip users reach for, through the CLI as a
// user runs it: upgrading, dry runs, reinstalling, extras and groups, what
// changed, tree / list / export, and the messages around them.
#include <gtest/gtest.h>

#include <chrono>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "nginx_fixture.hpp"
#include "temp_home.hpp"
#include "tool_runner.hpp"
#include "uvauth/fs.hpp"
#include "uvauth/lock/pylock.hpp"
#include "uvauth/process.hpp"

namespace uvauth {
namespace {

namespace fs = std::filesystem;
using testing::NginxFixture;
using testing::run_tool;
using testing::TempHome;
using testing::ToolRun;

using testing::fx;
using testing::primary;
std::string slurp(const fs::path& file) {
  auto text = read_file(file);
  return text ? *text : std::string();
}

struct Workspace {
  TempHome home;
  fs::path lock() const { return home.path() / "pylock.toml"; }
  fs::path target() const { return home.path() / "target"; }
  std::vector<std::string> common() const {
    return {"--no-config", "--cache-dir", (home.path() / "cache").string(), "--index-url", primary()};
  }
  ToolRun run(const std::string& command, std::vector<std::string> args, std::map<std::string, std::string> env = {}) const {
    std::vector<std::string> full{command};
    if (command == "lock") full.insert(full.end(), {"-o", lock().string(), "--python-version", "3.11"});
    if (command == "lock" || command == "install") {
      auto c = common();
      full.insert(full.end(), c.begin(), c.end());
    }
    full.insert(full.end(), args.begin(), args.end());
    return run_tool(full, home.env(std::move(env)));
  }
  std::string pins() const { return testing::locked_pins(lock().string()); }
  std::string text() const { return slurp(lock()); }
};

TEST(WorkflowTest, RelockingKeepsPinsUpgradeAndUpgradePackageDoNot) {
  Workspace w;
  ASSERT_EQ(w.run("lock", {"alpha", "beta<2"}).exit_code, 0);
  EXPECT_EQ(w.pins(), "alpha==1.0 beta==1.0");
  auto kept = w.run("lock", {"alpha"});
  ASSERT_EQ(kept.exit_code, 0) << kept.err;
  EXPECT_EQ(w.pins(), "alpha==1.0 beta==1.0") << "the previous pin still fits and is kept";
  auto upgraded = w.run("lock", {"alpha", "--upgrade-package", "beta"});
  ASSERT_EQ(upgraded.exit_code, 0) << upgraded.err;
  EXPECT_EQ(w.pins(), "alpha==1.0 beta==2.0 gamma==1.5");
  EXPECT_NE(upgraded.err.find("Updated beta v1.0 -> v2.0\n"), std::string::npos) << upgraded.err;
  EXPECT_NE(upgraded.err.find("Added gamma v1.5\n"), std::string::npos) << upgraded.err;
  auto down = w.run("lock", {"alpha", "beta<2"});
  EXPECT_NE(down.err.find("Downgraded beta v2.0 -> v1.0\n"), std::string::npos) << down.err;
  EXPECT_NE(down.err.find("Removed gamma v1.5\n"), std::string::npos) << down.err;
  ASSERT_EQ(w.run("lock", {"alpha"}).exit_code, 0);
  EXPECT_EQ(w.pins(), "alpha==1.0 beta==1.0");
  auto typo = w.run("lock", {"alpha", "--upgrade-package", "betta"});
  EXPECT_NE(typo.err.find("warning: --upgrade-package betta: no such package in the resolution"), std::string::npos) << typo.err;
  auto all = w.run("lock", {"alpha", "-U"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(w.pins(), "alpha==1.0 beta==2.0 gamma==1.5") << "--upgrade resolves afresh";
}

TEST(WorkflowTest, ADryRunLockWritesNothingAndSaysWhatWouldChange) {
  Workspace w;
  auto fresh = w.run("lock", {"alpha", "--dry-run"});
  ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
  EXPECT_FALSE(fs::exists(w.lock()));
  EXPECT_NE(fresh.err.find("Added alpha v1.0"), std::string::npos) << fresh.err;
  EXPECT_NE(fresh.err.find("Would write"), std::string::npos) << fresh.err;
  ASSERT_EQ(w.run("lock", {"alpha"}).exit_code, 0);
  const std::string before = w.text();
  auto dry = w.run("lock", {"alpha", "beta<2", "--dry-run", "--json"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(w.text(), before);
  const auto j = nlohmann::json::parse(dry.out);
  EXPECT_TRUE(j["dry_run"].get<bool>());
  EXPECT_TRUE(j["changed"].get<bool>());
  ASSERT_EQ(j["changes"].size(), 2U) << dry.out;
  EXPECT_EQ(j["changes"][0]["kind"], "downgraded");
  EXPECT_EQ(j["changes"][0]["name"], "beta");
  EXPECT_EQ(j["changes"][1]["kind"], "removed");
}

TEST(WorkflowTest, JsonIsPrintedOnFailureWithTheErrorAndTheChanges) {
  Workspace w;
  ASSERT_EQ(w.run("lock", {"alpha"}).exit_code, 0);
  auto stale = w.run("lock", {"alpha", "beta<2", "--locked", "--json"});
  EXPECT_EQ(stale.exit_code, 1);
  const auto j = nlohmann::json::parse(stale.out);
  EXPECT_FALSE(j["ok"].get<bool>());
  EXPECT_NE(j["error"]["message"].get<std::string>().find("is out of date"), std::string::npos) << stale.out;
  ASSERT_EQ(j["changes"].size(), 2U) << stale.out;
  EXPECT_EQ(j["changes"][0]["from"], "2.0");
  EXPECT_EQ(j["changes"][0]["to"], "1.0");
  auto missing = w.run("install", {"no-such-project", "--target", w.target().string(), "--json"});
  EXPECT_NE(missing.exit_code, 0);
  const auto m = nlohmann::json::parse(missing.out);
  EXPECT_FALSE(m["ok"].get<bool>());
  EXPECT_EQ(m["command"], "install");
}

TEST(WorkflowTest, NoDepsLocksTheRequirementsAlone) {
  Workspace w;
  ASSERT_EQ(w.run("lock", {"alpha", "--no-deps"}).exit_code, 0);
  EXPECT_EQ(w.pins(), "alpha==1.0");
  auto run = w.run("install", {"alpha", "--no-deps", "--target", w.target().string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(fs::exists(w.target() / "alpha"));
  EXPECT_FALSE(fs::exists(w.target() / "beta"));
}

TEST(WorkflowTest, ExtrasOfTheProject) {
  Workspace w;
  w.home.write("proj/pyproject.toml",
               "[project]\nname = \"app\"\nversion = \"0\"\ndependencies = [\"gamma\"]\n"
               "[project.optional-dependencies]\ncli = [\"eta\"]\nDocs = [\"epsilon\"]\n");
  const std::string project = (w.home.path() / "proj").string();
  ASSERT_EQ(w.run("lock", {"--project", project}).exit_code, 0);
  EXPECT_EQ(w.pins(), "gamma==1.5");
  ASSERT_EQ(w.run("lock", {"--project", project, "--extra", "cli"}).exit_code, 0);
  EXPECT_EQ(w.pins(), "eta==1.0 gamma==1.5");
  ASSERT_EQ(w.run("lock", {"--project", project, "--all-extras"}).exit_code, 0);
  EXPECT_EQ(w.pins(), "epsilon==0.1 eta==1.0 gamma==1.5");
  ASSERT_EQ(w.run("lock", {"--project", project, "--extra", "docs"}).exit_code, 0) << "extra names are normalized";
  EXPECT_EQ(w.pins(), "epsilon==0.1 gamma==1.5");
  auto unknown = w.run("lock", {"--project", project, "--extra", "nope"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("defines no such extra"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("it defines: Docs, cli"), std::string::npos) << unknown.err;
  auto without = w.run("lock", {"alpha", "--extra", "cli"});
  EXPECT_EQ(without.exit_code, 2);
  EXPECT_NE(without.err.find("--extra needs --project"), std::string::npos) << without.err;
}

TEST(WorkflowTest, InstallPrintsPlusAndMinusLinesAndADryRunTouchesNothing) {
  Workspace w;
  auto first = w.run("install", {"alpha", "--target", w.target().string()});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find(" + alpha==1.0\n + beta==2.0\n + gamma==1.5\n"), std::string::npos) << first.err;
  const auto stamp = fs::last_write_time(w.target() / ".uvauth-sync.json");
  fs::remove(w.target().string() + ".uvauth.lock");
  auto dry = w.run("install", {"alpha", "beta<2", "--target", w.target().string(), "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.err.find(" - beta==2.0\n + beta==1.0\n - gamma==1.5\n"), std::string::npos) << dry.err;
  EXPECT_NE(dry.err.find("dry run"), std::string::npos) << dry.err;
  EXPECT_TRUE(fs::exists(w.target() / "gamma")) << "nothing was removed";
  EXPECT_EQ(fs::last_write_time(w.target() / ".uvauth-sync.json"), stamp);
  EXPECT_FALSE(fs::exists(w.target().string() + ".uvauth.lock")) << "a dry run takes no lock either";
  auto changed = w.run("install", {"alpha", "beta<2", "--target", w.target().string()});
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  EXPECT_NE(changed.err.find(" - beta==2.0\n + beta==1.0\n - gamma==1.5\n"), std::string::npos) << changed.err;
  EXPECT_FALSE(fs::exists(w.target() / "gamma"));
}

TEST(WorkflowTest, ReinstallInstallsAgain) {
  Workspace w;
  ASSERT_EQ(w.run("install", {"alpha", "--target", w.target().string()}).exit_code, 0);
  // Damage one package by hand: a reinstall of it puts it right.
  fs::remove_all(w.target() / "beta");
  auto again = w.run("install", {"alpha", "--target", w.target().string()});
  EXPECT_NE(again.err.find("is up to date"), std::string::npos) << again.err;
  auto one = w.run("install", {"alpha", "--target", w.target().string(), "--reinstall-package", "Beta"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.err.find(" - beta==2.0\n + beta==2.0\n"), std::string::npos) << one.err;
  EXPECT_EQ(one.err.find("alpha=="), std::string::npos) << one.err;
  EXPECT_TRUE(fs::exists(w.target() / "beta"));
  auto typo = w.run("install", {"alpha", "--target", w.target().string(), "--reinstall-package", "betta"});
  EXPECT_NE(typo.err.find("warning: --reinstall-package betta: the lock has no such package"), std::string::npos) << typo.err;
  auto all = w.run("install", {"alpha", "--target", w.target().string(), "--reinstall", "--json"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  const auto j = nlohmann::json::parse(all.out);
  EXPECT_EQ(j["installed"], 3);
  EXPECT_EQ(j["added"].size(), 3U);
}

TEST(WorkflowTest, AnExistingVenvKeepsWhatNoLockNamesUnlessExact) {
  Workspace w;
  const fs::path venv = w.home.path() / "venv";
  auto made = run_process({"python3", "-m", "venv", "--without-pip", venv.string()});
  ASSERT_TRUE(made.ok() && made->exit_code == 0);
  // A distribution another installer put there (as pip and setuptools are).
  auto version = run_process({(venv / "bin" / "python").string(), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"});
  ASSERT_TRUE(version.ok());
  const fs::path purelib = std::string(version->out.substr(0, version->out.size() - 1));
  fs::create_directories(purelib / "foreign-1.0.dist-info");
  std::ofstream(purelib / "foreign-1.0.dist-info" / "METADATA") << "Metadata-Version: 2.1\nName: foreign\nVersion: 1.0\n";
  std::ofstream(purelib / "foreign-1.0.dist-info" / "INSTALLER") << "pip\n";
  std::ofstream(purelib / "foreign-1.0.dist-info" / "RECORD") << "foreign-1.0.dist-info/METADATA,,\n";
  ASSERT_EQ(w.run("lock", {"alpha"}).exit_code, 0);
  auto sync = w.run("sync", {"--lock", w.lock().string(), "--venv", venv.string(), "--no-config", "--cache-dir",
                             (w.home.path() / "cache").string(), "--python", (venv / "bin" / "python").string()});
  ASSERT_EQ(sync.exit_code, 0) << sync.err;
  EXPECT_TRUE(fs::exists(purelib / "foreign-1.0.dist-info")) << "not named by the lock, not installed by uvauth: kept";
  EXPECT_TRUE(fs::exists(purelib / "alpha"));
  // A lock that drops beta/gamma: uvauth's own installs go, the foreign one stays.
  ASSERT_EQ(w.run("lock", {"alpha", "--no-deps"}).exit_code, 0);
  auto smaller = w.run("sync", {"--lock", w.lock().string(), "--venv", venv.string(), "--no-config", "--cache-dir",
                                (w.home.path() / "cache").string(), "--python", (venv / "bin" / "python").string()});
  ASSERT_EQ(smaller.exit_code, 0) << smaller.err;
  EXPECT_NE(smaller.err.find(" - beta==2.0\n - gamma==1.5\n"), std::string::npos) << smaller.err;
  EXPECT_TRUE(fs::exists(purelib / "foreign-1.0.dist-info"));
  auto exact = w.run("sync", {"--lock", w.lock().string(), "--venv", venv.string(), "--no-config", "--cache-dir",
                              (w.home.path() / "cache").string(), "--python", (venv / "bin" / "python").string(), "--exact",
                              "--reinstall-package", "alpha"});
  ASSERT_EQ(exact.exit_code, 0) << exact.err;
  EXPECT_NE(exact.err.find(" - foreign==1.0\n"), std::string::npos) << exact.err;
  EXPECT_FALSE(fs::exists(purelib / "foreign-1.0.dist-info"));
}

TEST(WorkflowTest, ACreatedVenvHasActivateScripts) {
  Workspace w;
  const fs::path venv = w.home.path() / "my env";
  auto run = w.run("install", {"alpha", "--venv", venv.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (const char* script : {"activate", "activate.fish", "activate.csh"}) EXPECT_TRUE(fs::exists(venv / "bin" / script)) << script;
  auto shell = run_process({"bash", "-c", "set -u; . '" + (venv / "bin" / "activate").string() +
                                              "'; echo \"$VIRTUAL_ENV\"; command -v alpha-cli; python -c 'import alpha; print(alpha.VERSION)'; "
                                              "deactivate; echo \"${VIRTUAL_ENV:-none}\""});
  ASSERT_TRUE(shell.ok());
  EXPECT_EQ(shell->out, venv.string() + "\n" + (venv / "bin" / "alpha-cli").string() + "\n1.0\nnone\n") << shell->err;
}

TEST(WorkflowTest, TreeShowsTheLockedGraph) {
  Workspace w;
  ASSERT_EQ(w.run("lock", {"alpha", "epsilon"}).exit_code, 0);
  EXPECT_NE(w.text().find("[[packages.dependencies]]\n    name = 'beta'"), std::string::npos) << w.text();
  auto tree = run_tool({"tree", "--lock", w.lock().string()}, w.home.env());
  ASSERT_EQ(tree.exit_code, 0) << tree.err;
  EXPECT_EQ(tree.out, "alpha v1.0\n└── beta v2.0\n    └── gamma v1.5\nepsilon v0.1\n");
  auto shallow = run_tool({"tree", "--lock", w.lock().string(), "--depth", "1"}, w.home.env());
  EXPECT_EQ(shallow.out, "alpha v1.0\n└── beta v2.0\nepsilon v0.1\n");
  auto inverted = run_tool({"tree", "--lock", w.lock().string(), "--invert"}, w.home.env());
  EXPECT_EQ(inverted.out, "epsilon v0.1\ngamma v1.5\n└── beta v2.0\n    └── alpha v1.0\n");
  auto one = run_tool({"tree", "--lock", w.lock().string(), "--package", "beta"}, w.home.env());
  EXPECT_EQ(one.out, "beta v2.0\n└── gamma v1.5\n");
  auto resolved = run_tool({"tree", "alpha", "--no-config", "--index-url", primary(), "--cache-dir", (w.home.path() / "cache").string()},
                           w.home.env());
  ASSERT_EQ(resolved.exit_code, 0) << resolved.err;
  EXPECT_EQ(resolved.out, "alpha v1.0\n└── beta v2.0\n    └── gamma v1.5\n");
  auto both = run_tool({"tree", "--lock", w.lock().string(), "alpha"}, w.home.env());
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.err.find("not both"), std::string::npos) << "the lock is not silently ignored: " << both.err;
  auto missing = run_tool({"tree", "--lock", (w.home.path() / "nope.toml").string()}, w.home.env());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("cannot read the lock"), std::string::npos) << missing.err;
}

TEST(WorkflowTest, AnOlderLockWithoutDependenciesIsStillCurrentAndGetsThemOnTheNextLock) {
  Workspace w;
  ASSERT_EQ(w.run("lock", {"alpha"}).exit_code, 0);
  std::string old = w.text();
  std::string stripped;
  std::istringstream lines(old);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("dependencies = ", 0) != 0) stripped += line + "\n";
  }
  ASSERT_NE(stripped, old);
  ASSERT_TRUE(write_file_atomically(w.lock(), stripped).ok());
  auto locked = w.run("lock", {"alpha", "--locked"});
  EXPECT_EQ(locked.exit_code, 0) << "an older lock is not out of date for lacking dependencies: " << locked.err;
  auto tree = run_tool({"tree", "--lock", w.lock().string()}, w.home.env());
  EXPECT_NE(tree.out.find("records no dependencies"), std::string::npos) << tree.out;
  ASSERT_EQ(w.run("lock", {"alpha"}).exit_code, 0);
  EXPECT_EQ(w.text(), old) << "a plain lock records them";
}

TEST(WorkflowTest, ExportWritesRequirementsWithHashesPipAccepts) {
  Workspace w;
  ASSERT_EQ(w.run("lock", {"alpha"}).exit_code, 0);
  const fs::path out = w.home.path() / "requirements.txt";
  auto exported = run_tool({"export", "--lock", w.lock().string(), "--format", "requirements.txt", "-o", out.string()}, w.home.env());
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const std::string text = slurp(out);
  EXPECT_NE(text.find("alpha==1.0 \\\n    --hash=sha256:"), std::string::npos) << text;
  // The oracle: pip in hash-checking mode installs exactly this.
  auto pip = run_process({"python3", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-cache-dir",
                          "--require-hashes", "--no-deps", "-r", out.string(), "--target", (w.home.path() / "pip-target").string(),
                          "--index-url", primary()});
  ASSERT_TRUE(pip.ok());
  EXPECT_EQ(pip->exit_code, 0) << pip->out << pip->err;
  EXPECT_TRUE(fs::exists(w.home.path() / "pip-target" / "gamma"));
  auto plain = run_tool({"export", "--lock", w.lock().string(), "--no-hashes"}, w.home.env());
  EXPECT_NE(plain.out.find("\nalpha==1.0\nbeta==2.0\ngamma==1.5\n"), std::string::npos) << plain.out;
  auto other = run_tool({"export", "--lock", w.lock().string(), "--format", "pylock"}, w.home.env());
  EXPECT_EQ(other.exit_code, 2);
}

TEST(WorkflowTest, ListShowsNameVersionAndWhereFrom) {
  Workspace w;
  ASSERT_EQ(w.run("install", {"alpha", "--target", w.target().string()}).exit_code, 0);
  auto listed = run_tool({"list", "--target", w.target().string(), "--format", "json"}, w.home.env());
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const auto j = nlohmann::json::parse(listed.out);
  ASSERT_EQ(j.size(), 3U);
  EXPECT_EQ(j[0]["name"], "alpha");
  EXPECT_EQ(j[0]["version"], "1.0");
  EXPECT_EQ(j[0]["installer"], "uvauth");
  EXPECT_EQ(j[0]["from"], primary());
  auto columns = run_tool({"list", "--target", w.target().string()}, w.home.env());
  EXPECT_NE(columns.out.find("gamma   1.5     " + primary()), std::string::npos) << columns.out;
  auto freeze = run_tool({"list", "--target", w.target().string(), "--format", "freeze"}, w.home.env());
  EXPECT_EQ(freeze.out, "alpha==1.0\nbeta==2.0\ngamma==1.5\n");
  auto neither = run_tool({"list"}, w.home.env());
  EXPECT_EQ(neither.exit_code, 2);
}

// Only the command named is set up for parsing (start-up time); what that
// parse does not take is parsed again with every command, so help, errors
// and a command's name used as a value read as before.
TEST(WorkflowTest, ParsingWithOnlyTheNamedCommandChangesNoOutcome) {
  Workspace w;
  auto help = run_tool({"sync", "--help"}, w.home.env());
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_NE(help.out.find("--link-mode"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("Global flags"), std::string::npos) << help.out;
  auto top = run_tool({"--help"}, w.home.env());
  EXPECT_EQ(top.exit_code, 0);
  for (const char* command : {"fetch", "auth", "lock", "sync", "install", "tree", "list", "export", "cache"}) {
    EXPECT_NE(top.out.find(command), std::string::npos) << command << " is listed:\n" << top.out;
  }
  // "sync" twice: once the cache directory's name, once the command.
  const fs::path cache_named_sync = w.home.path() / "sync";
  ASSERT_EQ(w.run("lock", {"alpha"}).exit_code, 0);
  auto as_value = run_tool({"--cache-dir", cache_named_sync.string(), "sync", "--lock", w.lock().string(), "--target",
                            w.target().string(), "--no-config", "--python-version", "3.11"},
                           w.home.env());
  EXPECT_EQ(as_value.exit_code, 0) << as_value.err;
  EXPECT_TRUE(fs::exists(w.target() / "alpha"));
  // "sync" only as a value, and a misspelt command: the parse with `sync`
  // alone cannot suggest `lock`; the parse again with every command does.
  auto misspelt = run_tool({"--cache-dir", "sync", "lok", "alpha"}, w.home.env());
  EXPECT_EQ(misspelt.exit_code, 2);
  EXPECT_NE(misspelt.err.find("did you mean `lock`?"), std::string::npos) << misspelt.err;
  EXPECT_EQ(std::count(misspelt.err.begin(), misspelt.err.end(), '\n'), 3) << "one error, printed once:\n" << misspelt.err;
}

TEST(WorkflowTest, UnknownCommandsAndFlagsGetASuggestion) {
  Workspace w;
  auto command = run_tool({"lok", "alpha"}, w.home.env());
  EXPECT_EQ(command.exit_code, 2);
  EXPECT_NE(command.err.find("did you mean `lock`?"), std::string::npos) << command.err;
  auto flag = run_tool({"lock", "alpha", "--upgrde"}, w.home.env());
  EXPECT_EQ(flag.exit_code, 2);
  EXPECT_NE(flag.err.find("did you mean `--upgrade`?"), std::string::npos) << flag.err;
  EXPECT_NE(flag.err.find("run `uvauth lock --help`"), std::string::npos) << flag.err;
  auto cut = run_tool({"lock", "alpha", "--extra-index", "http://127.0.0.1:1/simple"}, w.home.env());
  EXPECT_NE(cut.err.find("did you mean `--extra-index-url`?"), std::string::npos) << cut.err;
  auto missing = run_tool({"lock", "--upgrade-package"}, w.home.env());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.err.find("did you mean"), std::string::npos) << "a known flag without its value: " << missing.err;
  auto nested = run_tool({"auth", "lgoin", "x"}, w.home.env());
  EXPECT_NE(nested.err.find("did you mean `login`?"), std::string::npos) << nested.err;
  auto help = run_tool({"lock", "--help"}, w.home.env());
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Global flags"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("--offline"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("--upgrade-package"), std::string::npos) << help.out;
}

TEST(WorkflowTest, UvsCommandsUvauthNamesOtherwiseSayWhatToType) {
  Workspace w;
  // `uv pip install six` typed to uvauth: not "argument not expected: pip".
  auto pip = run_tool({"pip", "install", "six"}, w.home.env());
  EXPECT_EQ(pip.exit_code, 2);
  EXPECT_NE(pip.err.find("error: unrecognized subcommand 'pip'"), std::string::npos) << pip.err;
  EXPECT_NE(pip.err.find("`uv pip install` is `uvauth install"), std::string::npos) << pip.err;
  auto compile = run_tool({"pip", "compile", "requirements.in"}, w.home.env());
  EXPECT_NE(compile.err.find("`uv pip compile` is `uvauth lock"), std::string::npos) << compile.err;
  auto venv = run_tool({"venv", ".venv"}, w.home.env());
  EXPECT_NE(venv.err.find("unrecognized subcommand 'venv'"), std::string::npos) << venv.err;
  EXPECT_NE(venv.err.find("`uvauth sync --venv DIR`"), std::string::npos) << venv.err;
  auto add = run_tool({"add", "six"}, w.home.env());
  EXPECT_NE(add.err.find("uv's `add` has no counterpart"), std::string::npos) << add.err;
  auto unknown = run_tool({"--cache-dir", "somewhere", "frobnicate"}, w.home.env());
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unrecognized subcommand 'frobnicate'"), std::string::npos) << unknown.err;
  EXPECT_EQ(unknown.err.find("somewhere"), std::string::npos) << "a flag's value is not the command: " << unknown.err;
  // `uvauth help [COMMAND]`, as `uv help`.
  auto help = run_tool({"help", "lock"}, w.home.env());
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_NE(help.out.find("Usage: uvauth lock"), std::string::npos) << help.out;
  auto top = run_tool({"help"}, w.home.env());
  EXPECT_EQ(top.exit_code, 0) << top.err;
  EXPECT_NE(top.out.find("install"), std::string::npos) << top.out;
}

// Seen: a wheel's URL was taken in a requirements file but refused on the
// command line ("expected ';' and a marker, or the end at position 5").
TEST(WorkflowTest, ABareWheelUrlOnTheCommandLineNamesItsProject) {
  Workspace w;
  ASSERT_EQ(w.run("lock", {"alpha"}).exit_code, 0);
  const std::string text = w.text();
  const auto at = text.find("url = '", text.find("alpha-1.0-"));
  ASSERT_NE(at, std::string::npos) << text;
  const std::string url = text.substr(at + 7, text.find('\'', at + 7) - at - 7);
  auto bare = w.run("lock", {url});
  ASSERT_EQ(bare.exit_code, 0) << bare.err;
  EXPECT_NE(w.pins().find("alpha==1.0"), std::string::npos) << w.pins();
  auto git = w.run("lock", {"git+https://127.0.0.1:1/x.git"});
  EXPECT_EQ(git.exit_code, 2);
  EXPECT_NE(git.err.find("does not say which project it is: write `NAME @ git+https://127.0.0.1:1/x.git`"), std::string::npos) << git.err;
}

TEST(WorkflowTest, ColourFollowsTheFlagAndNoColor) {
  Workspace w;
  auto plain = run_tool({"sync", "--lock", (w.home.path() / "nope.toml").string(), "--target", "x"}, w.home.env());
  EXPECT_EQ(plain.err.find('\033'), std::string::npos) << "a pipe gets no colour";
  auto always = run_tool({"--color", "always", "sync", "--lock", (w.home.path() / "nope.toml").string(), "--target", "x"}, w.home.env());
  EXPECT_NE(always.err.find("\033[1;31merror\033[0m: "), std::string::npos) << always.err;
  auto forced = run_tool({"sync", "--lock", (w.home.path() / "nope.toml").string(), "--target", "x"}, w.home.env({{"FORCE_COLOR", "1"}}));
  EXPECT_NE(forced.err.find('\033'), std::string::npos);
  auto never = run_tool({"sync", "--lock", (w.home.path() / "nope.toml").string(), "--target", "x", "--color", "never"},
                        w.home.env({{"FORCE_COLOR", "1"}}));
  EXPECT_EQ(never.err.find('\033'), std::string::npos);
  auto bad = run_tool({"--color", "sometimes", "cache", "dir"}, w.home.env());
  EXPECT_EQ(bad.exit_code, 2);
}

TEST(WorkflowTest, TokenAndLogoutWithoutUsernameSayWhichUsersAreStored) {
  Workspace w;
  auto login = run_tool({"auth", "login", "https://pypi.corp.example/simple", "--username", "alice", "--password", "s3cret-xyz"}, w.home.env());
  ASSERT_EQ(login.exit_code, 0) << login.err;
  auto token = run_tool({"auth", "token", "https://pypi.corp.example/simple"}, w.home.env());
  EXPECT_NE(token.exit_code, 0);
  EXPECT_NE(token.err.find("stored for this host: `alice` for https://pypi.corp.example/"), std::string::npos) << token.err;
  EXPECT_NE(token.err.find("--username USER"), std::string::npos) << token.err;
  auto logout = run_tool({"auth", "logout", "pypi.corp.example"}, w.home.env());
  EXPECT_NE(logout.exit_code, 0);
  EXPECT_NE(logout.err.find("`alice`"), std::string::npos) << logout.err;
  for (const auto* run : {&token, &logout}) EXPECT_EQ(run->err.find("s3cret-xyz"), std::string::npos);
  auto right = run_tool({"auth", "token", "https://pypi.corp.example/simple", "--username", "alice"}, w.home.env());
  EXPECT_EQ(right.out, "s3cret-xyz\n");
}

TEST(WorkflowTest, UvFrozenAndLockedTakeUvsWords) {
  Workspace w;
  ASSERT_EQ(w.run("lock", {"alpha"}).exit_code, 0);
  auto frozen = w.run("sync", {"--lock", w.lock().string(), "--target", w.target().string(), "--no-config"}, {{"UV_FROZEN", "1"}});
  EXPECT_EQ(frozen.exit_code, 0) << frozen.err;
  auto bad = w.run("sync", {"--lock", w.lock().string(), "--target", w.target().string(), "--no-config"}, {{"UV_FROZEN", "maybe"}});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("UV_FROZEN"), std::string::npos) << bad.err;
}

// A PEP 751 lock with entries for other platforms (as another tool writes
// them): each entry's marker and each wheel's tags decide, not the order.
TEST(WorkflowTest, SyncSelectsEntriesByMarkerAndWheelsByTagsPerPep751) {
  Workspace w;
  ASSERT_EQ(w.run("lock", {"alpha", "--no-deps"}).exit_code, 0);
  auto lock = lock::Lock::parse(w.text(), "pylock.toml");
  ASSERT_TRUE(lock.ok()) << lock.error().message;
  const std::string tag = testing::test_tag();
  const std::string elsewhere = fx().http("/nonexistent/" + tag.substr(tag.find('=') + 1) + "/");
  ASSERT_EQ(lock->packages.size(), 1U);
  auto& alpha = lock->packages[0];
  // A Windows wheel first: it must not be the one taken.
  alpha.wheels.insert(alpha.wheels.begin(), lock::LockedWheel{"alpha-1.0-cp311-cp311-win_amd64.whl",
                                                              elsewhere + "alpha-1.0-cp311-cp311-win_amd64.whl", 10,
                                                              std::string(64, 'b')});
  lock::LockedPackage windows_only;
  windows_only.name = "pywin32";
  windows_only.version = pep::Version::from("306");
  windows_only.marker = "sys_platform == \"win32\"";
  windows_only.wheels = {lock::LockedWheel{"pywin32-306-cp311-cp311-win_amd64.whl", elsewhere + "pywin32-306-cp311-cp311-win_amd64.whl", 10,
                                           std::string(64, 'c')}};
  lock->packages.push_back(windows_only);
  lock->environments.clear();
  std::ofstream(w.lock()) << lock->serialize();
  auto sync = w.run("sync", {"--lock", w.lock().string(), "--target", w.target().string(), "--no-config", "-v"});
  ASSERT_EQ(sync.exit_code, 0) << sync.err;
  EXPECT_TRUE(fs::exists(w.target() / "alpha"));
  EXPECT_FALSE(fs::exists(w.target() / "pywin32-306.dist-info"));
  EXPECT_TRUE(fx().requests("/nonexistent/" + tag.substr(tag.find('=') + 1), 0, std::chrono::milliseconds(300)).empty())
      << "nothing for another platform was fetched";

  // An entry for this platform whose wheels are all for another: a named error, nothing installed.
  windows_only.marker = "sys_platform == \"linux\"";
  lock->packages.back() = windows_only;
  std::ofstream(w.lock()) << lock->serialize();
  auto none = w.run("sync", {"--lock", w.lock().string(), "--target", (w.home.path() / "other").string(), "--no-config"});
  EXPECT_EQ(none.exit_code, 1) << none.err;
  EXPECT_NE(none.err.find("pywin32 306 has no wheel for"), std::string::npos) << none.err;
  EXPECT_NE(none.err.find("pywin32-306-cp311-cp311-win_amd64.whl"), std::string::npos) << none.err;
  EXPECT_FALSE(fs::exists(w.home.path() / "other" / "alpha"));
}

}  // namespace
}  // namespace uvauth

namespace uvauth {
namespace {

TEST(MessageTest, ARejectedUserIsNamedWithItsSourceAndTheHintWorksAsWritten) {
  Workspace w;
  w.home.write_netrc("machine 127.0.0.1 login alice password wrong-one\n");
  const std::string corp = "corp=" + fx().http("/private/index-html/simple/");
  auto refused = run_tool({"lock", "alpha", "--index", corp, "--no-config", "-o", w.lock().string(), "--cache-dir",
                           (w.home.path() / "cache").string()},
                          w.home.env());
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("user 'alice' from netrc file " + (w.home.path() / ".netrc").string() + " was rejected by index 'corp'"),
            std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("UV_INDEX_CORP_USERNAME / UV_INDEX_CORP_PASSWORD"), std::string::npos) << refused.err;
  const std::string login = "uvauth auth login " + fx().http("/private/index-html/") + " --username USER";
  ASSERT_NE(refused.err.find(login), std::string::npos) << refused.err;
  EXPECT_EQ(refused.err.find("wrong-one"), std::string::npos);
  // The hint, run as written (USER filled in), fixes it.
  std::filesystem::remove(w.home.path() / ".netrc");
  auto stored = run_tool({"auth", "login", fx().http("/private/index-html/"), "--username", "alice", "--password", "-"}, w.home.env(),
                         fx().password("alice") + "\n");
  ASSERT_EQ(stored.exit_code, 0) << stored.err;
  auto locked = run_tool({"lock", "alpha", "--index", corp, "--no-config", "-o", w.lock().string(), "--cache-dir",
                          (w.home.path() / "cache").string()},
                         w.home.env());
  EXPECT_EQ(locked.exit_code, 0) << locked.err;
}

TEST(MessageTest, UrlMistakesNameTheFlagAndSayWhatIsWrong) {
  Workspace w;
  for (const auto& flag : {std::string("--index-url"), std::string("--default-index"), std::string("--extra-index-url"), std::string("--index")}) {
    auto run = run_tool({"lock", "alpha", flag, "127.0.0.1:18300/simple", "--no-config"}, w.home.env());
    EXPECT_EQ(run.exit_code, 2) << flag;
    EXPECT_NE(run.err.find("error: " + flag + ": invalid URL '127.0.0.1:18300/simple': it has no scheme; write https://127.0.0.1:18300/simple"),
              std::string::npos)
        << run.err;
  }
  auto secret = run_tool({"lock", "alpha", "--index-url", "alice:hunter2@pypi.corp/simple", "--no-config"}, w.home.env());
  EXPECT_EQ(secret.err.find("hunter2"), std::string::npos) << secret.err;
  auto fetch = run_tool({"fetch", "127.0.0.1/x"}, w.home.env());
  EXPECT_NE(fetch.err.find("it has no scheme"), std::string::npos) << fetch.err;
}

TEST(MessageTest, UvsPlatformNamesWorkOnTheCommandLine) {
  Workspace w;
  auto run = run_tool({"lock", "alpha", "--python-version", "3.12", "--python-platform", "aarch64-apple-darwin", "--no-config",
                       "--index-url", primary(), "-o", w.lock().string(), "--cache-dir", (w.home.path() / "cache").string()},
                      w.home.env());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(slurp(w.lock()).find("sys_platform == \"darwin\""), std::string::npos) << slurp(w.lock());
  auto bad = run_tool({"lock", "alpha", "--python-version", "3.12", "--python-platform", "amiga", "--no-config"}, w.home.env());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("aarch64-apple-darwin"), std::string::npos) << "the hint lists uv's names: " << bad.err;
}

}  // namespace
}  // namespace uvauth

namespace uvauth {
namespace {

// Runs the tool on a pseudo-terminal (`script`), as a person at a terminal sees it.
ToolRun on_terminal(const Workspace& w, const std::vector<std::string>& args) {
  std::string command = "env";
  for (const auto& [k, v] : w.home.env()) {
    if (!v.empty()) command += " " + k + "='" + v + "'";
  }
  command += " " + testing::tool_path();
  for (const auto& a : args) command += " '" + a + "'";
  auto run = run_process({"script", "-qec", command, "/dev/null"}, std::chrono::seconds(120));
  ToolRun out;
  if (!run.ok()) {
    out.err = run.error().message;
    return out;
  }
  out.exit_code = run->exit_code;
  out.err = run->out;  // a terminal mixes both streams
  return out;
}

std::string throttled() { return fx().http("/throttled/index-html/simple/"); }

TEST(ProgressTest, ATerminalGetsASpinnerABarWithBytesInFlightAndALineForALargeDownload) {
  Workspace w;
  const std::string cache = (w.home.path() / "cache").string();
  auto run = on_terminal(w, {"install", "bulky", "alpha", "--target", w.target().string(), "--no-config", "--cache-dir", cache,
                             "--index-url", throttled(), "-v"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("Resolving dependencies..."), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("Resolved 4 packages in "), std::string::npos) << run.err;
  // A line of its own for the 3 MiB wheel, with its size and speed, while it comes in.
  EXPECT_NE(run.err.find("  bulky-1.0-py3-none-any.whl  "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find(" MB/s"), std::string::npos) << run.err;
  // The total counts bytes as they arrive: some bar shows part of the bytes before the end.
  bool partial = false;
  for (std::size_t at = run.err.find(" downloaded, "); at != std::string::npos; at = run.err.find(" downloaded, ", at + 1)) {
    double got = 0;
    double total = 0;
    if (std::sscanf(run.err.c_str() + at + 13, "%lf/%lf MB", &got, &total) == 2 && got > 0.4 && got + 0.4 < total) partial = true;
  }
  EXPECT_TRUE(partial) << run.err;
  // -v lines never glue onto the bar: each starts a line of its own.
  for (std::size_t at = run.err.find("debug: "); at != std::string::npos; at = run.err.find("debug: ", at + 1)) {
    const std::string before = run.err.substr(at >= 4 ? at - 4 : 0, at >= 4 ? 4 : at);
    EXPECT_TRUE(at == 0 || before.back() == '\n' || before == "\033[2K") << "glued: " << run.err.substr(at > 60 ? at - 60 : 0, 120);
  }
  EXPECT_NE(run.err.find("+\033[0m bulky==1.0"), std::string::npos) << "coloured on a terminal: " << run.err;
}

TEST(ProgressTest, APipeGetsOneLinePerEventAndNoDuplicates) {
  Workspace w;
  const std::string cache = (w.home.path() / "cache").string();
  auto run = run_tool({"install", "bulky", "alpha", "--target", w.target().string(), "--no-config", "--cache-dir", cache,
                       "--index-url", throttled()},
                      w.home.env());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err.find('\r'), std::string::npos);
  EXPECT_EQ(run.err.find('\033'), std::string::npos);
  std::map<std::string, int> seen;
  std::istringstream lines(run.err);
  for (std::string line; std::getline(lines, line);) ++seen[line];
  for (const auto& [line, count] : seen) EXPECT_EQ(count, 1) << "repeated: " << line << "\n" << run.err;
  EXPECT_EQ(seen.count("Downloading 4 wheels"), 1U) << "the index gave no sizes: " << run.err;
  EXPECT_EQ(seen.count("Downloaded bulky-1.0-py3-none-any.whl"), 1U) << run.err;
  EXPECT_EQ(seen.count("Installed 4/4"), 1U) << run.err;
  const auto resolved = run.err.find("Resolved 4 packages");
  EXPECT_LT(resolved, run.err.find("Downloading 4 wheels")) << "said when resolving ends: " << run.err;
}

}  // namespace
}  // namespace uvauth

namespace uvauth {
namespace {

TEST(MessageTest, AVersionLeftOutByItsTagsSaysWhich) {
  Workspace w;
  for (const char* file : {"nump-1.0-cp311-cp311-manylinux_2_17_x86_64.whl", "nump-2.0-cp312-cp312-win_amd64.whl",
                           "nump-3.0-cp39-cp39-macosx_11_0_arm64.whl"}) {
    w.home.write(std::string("wheels/") + file, "");
  }
  auto run = run_tool({"lock", "nump", "--find-links", (w.home.path() / "wheels").string(), "--no-index", "--python-version", "3.12",
                       "--python-platform", "linux", "--no-config", "-o", w.lock().string()},
                      w.home.env());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("1.0 has cp311 wheels only; the target is CPython 3.12"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("2.0 has wheels for win_amd64 only; the target is manylinux_2_28_x86_64"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("3.0 has wheels for cp39 on macosx_11_0_arm64 only"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("no wheel for this platform"), std::string::npos) << run.err;
}

TEST(MessageTest, VerboseSaysWhichFilesWereReadAndJsonListsThem) {
  Workspace w;
  w.home.write_netrc("machine example.invalid login x password never-shown-1\n");
  const auto config = w.home.write("uv.toml", "index-url = \"" + primary() + "\"\n");
  auto run = run_tool({"lock", "alpha", "--config-file", config.string(), "-o", w.lock().string(), "--python", "python3", "-v", "--json",
                       "--cache-dir", (w.home.path() / "cache").string()},
                      w.home.env());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("settings read from " + config.string()), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("credentials: netrc file " + (w.home.path() / ".netrc").string() + "; credentials store "), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("(not there)"), std::string::npos) << "the store does not exist yet: " << run.err;
  EXPECT_NE(run.err.find("interpreter: "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("(`python3` on PATH, for --python python3)"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("never-shown-1"), std::string::npos);
  const auto j = nlohmann::json::parse(run.out);
  bool listed = false;
  for (const auto& f : j["files_read"]) listed = listed || f.get<std::string>() == config.string();
  EXPECT_TRUE(listed) << run.out;
}

}  // namespace
}  // namespace uvauth

namespace uvauth {
namespace {

TEST(MessageTest, A404ToARequestWithCredentialsHintsThatTheyMayHaveExpired) {
  Workspace w;
  w.home.write_netrc("machine 127.0.0.1 login alice password expired-token-0\n");
  const std::string hidden = fx().http("/hidden/index-html/simple/");
  auto run = run_tool({"lock", "alpha", "--index", "corp=" + hidden, "--no-config", "-o", w.lock().string(), "--cache-dir",
                       (w.home.path() / "cache").string(), "--authenticate", "always"},
                      w.home.env({{"UV_INDEX_CORP_USERNAME", "alice"}}));
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("index 'corp' " + hidden + " answered 404 to a request that carried credentials"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("wrong or expired"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("expired-token-0"), std::string::npos);
  // Without credentials, no such hint.
  auto anonymous = run_tool({"lock", "alpha", "--index", "corp=" + hidden, "--default-index", hidden, "--no-config", "-o", w.lock().string(),
                             "--cache-dir", (w.home.path() / "cache2").string()},
                            Workspace().home.env());
  EXPECT_EQ(anonymous.err.find("carried credentials"), std::string::npos) << anonymous.err;
}


// A no-op `uvauth sync` of a plain lock is answered from the stamp's key,
// without parsing the lock; any change of the lock's bytes or of an input of
// the selection goes the whole way.
TEST(WorkflowTest, ANoOpSyncOfAPlainLockIsAnsweredFromTheStampAlone) {
  Workspace w;
  ASSERT_EQ(w.run("lock", {"alpha"}).exit_code, 0);
  auto sync = [&](std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--lock", w.lock().string(), "--target", w.target().string(), "--no-config", "--cache-dir",
                                  (w.home.path() / "cache").string(), "--python-version", "3.11", "-v"};
    args.insert(args.end(), extra.begin(), extra.end());
    return w.run("sync", args);
  };
  constexpr const char* quick = "the lock was not parsed";
  auto first = sync();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.err.find(quick), std::string::npos) << first.err;
  auto again = sync();
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find(quick), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("is up to date (3 packages)"), std::string::npos) << again.err;

  // Another link mode is another input: compared in full, and installed again.
  auto copy = sync({"--link-mode", "copy"});
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  EXPECT_EQ(copy.err.find(quick), std::string::npos) << copy.err;
  EXPECT_NE(copy.err.find("Installed 3 packages"), std::string::npos) << "another link mode: every package placed again\n" << copy.err;
  EXPECT_EQ(fs::hard_link_count(w.target() / "alpha" / "__init__.py"), 1U) << "copies, not the hard links of the first sync";
  EXPECT_NE(sync({"--link-mode", "copy"}).err.find(quick), std::string::npos);

  // The lock's bytes changed (a comment): parsed again.
  {
    std::ofstream(w.lock(), std::ios::app) << "# touched\n";
  }
  auto touched = sync({"--link-mode", "copy"});
  ASSERT_EQ(touched.exit_code, 0) << touched.err;
  EXPECT_EQ(touched.err.find(quick), std::string::npos) << touched.err;

  // A damaged key is no key: the stamp is compared in full and still says up to date.
  const fs::path stamp = w.target() / ".uvauth-sync.json";
  auto text = read_file(stamp);
  ASSERT_TRUE(text && text->find("\"quick\":\"") != std::string::npos) << (text ? *text : "");
  std::string damaged = *text;
  damaged.replace(damaged.find("\"quick\":\"") + 9, 4, "xxxx");
  ASSERT_TRUE(write_file_atomically(stamp, damaged));
  auto full = sync({"--link-mode", "copy"});
  ASSERT_EQ(full.exit_code, 0) << full.err;
  EXPECT_EQ(full.err.find(quick), std::string::npos) << full.err;
  EXPECT_NE(full.err.find("is up to date (3 packages)"), std::string::npos) << full.err;

  // Another interpreter: scripts and launchers name it, so nothing is kept.
  if (fs::exists("/usr/bin/python3")) {
    auto other = sync({"--link-mode", "copy", "--python", "/usr/bin/python3"});
    ASSERT_EQ(other.exit_code, 0) << other.err;
    EXPECT_NE(other.err.find("Installed 3 packages"), std::string::npos) << other.err;
  }
}

// Inputs a user or a config names are read up to 64 MiB: a device named as
// a requirements file, a lock or the netrc is refused (or, for the netrc,
// passed over as a bad netrc is), never read until memory runs out.
TEST(WorkflowTest, RequirementsLockAndNetrcThatNeverEndAreRefusedNotReadForEver) {
  Workspace w;
  const auto start = std::chrono::steady_clock::now();
  auto requirements = w.run("lock", {"-r", "/dev/zero"});
  EXPECT_EQ(requirements.exit_code, 2) << requirements.err;
  EXPECT_NE(requirements.err.find("cannot read /dev/zero: larger than 64 MiB"), std::string::npos) << requirements.err;
  auto lock = w.run("sync", {"--lock", "/dev/zero", "--target", w.target().string(), "--no-config", "--python-version", "3.11"});
  EXPECT_EQ(lock.exit_code, 2) << lock.err;
  EXPECT_NE(lock.err.find("larger than 64 MiB"), std::string::npos) << lock.err;
  auto netrc = w.run("lock", {"alpha"}, {{"NETRC", "/dev/zero"}});
  EXPECT_NE(netrc.exit_code, 134) << netrc.err;
  EXPECT_EQ(netrc.err.find("bad_alloc"), std::string::npos) << netrc.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
}

// A `.whl` whose file name is no wheel's is said to be so, not built as if
// it were a project.
TEST(WorkflowTest, AWheelPathWhoseNameIsNoWheelsIsRefusedByName) {
  Workspace w;
  const fs::path bad = w.home.write("notawheel.whl", "PK");
  auto run = w.run("lock", {bad.string()});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find(bad.string() + ": not a wheel file name"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("pyproject.toml"), std::string::npos) << run.err;
}

// A lock naming a device or a FIFO as a local wheel (`path` or a file://
// URL) is refused at once, naming it: never read for ever, never waited on.
TEST(WorkflowTest, ALockNamingADeviceOrAFifoAsAWheelIsRefusedAtOnce) {
  Workspace w;
  const fs::path fifo = w.home.path() / "wheel.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string hash(64, 'e');
  for (const std::string& entry : {std::string("path = \"/dev/zero\""), std::string("url = \"file:///dev/zero\""),
                                   "path = \"" + fifo.string() + "\""}) {
    w.home.write("hostile.toml", "lock-version = \"1.0\"\ncreated-by = \"x\"\n[[packages]]\nname = \"demo\"\nversion = \"1.0\"\n"
                                 "wheels = [{ name = \"demo-1.0-py3-none-any.whl\", " + entry + ", size = 100, hashes = { sha256 = \"" + hash +
                                 "\" } }]\n");
    const auto start = std::chrono::steady_clock::now();
    auto run = w.run("sync", {"--lock", (w.home.path() / "hostile.toml").string(), "--target", w.target().string(), "--no-config",
                              "--cache-dir", (w.home.path() / "cache").string(), "--python-version", "3.11"});
    EXPECT_EQ(run.exit_code, 2) << entry << "\n" << run.err;
    EXPECT_NE(run.err.find("not a regular file"), std::string::npos) << entry << "\n" << run.err;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20)) << entry;
    EXPECT_FALSE(fs::exists(w.target() / "demo")) << entry;
  }
}

}  // namespace
}  // namespace uvauth
