// PEP 751 selection for one target: entries by marker, exactly one per
// name, the best wheel by the target's tags, and named errors otherwise.
#include "uvauth/lock/select.hpp"

#include <gtest/gtest.h>

namespace uvauth::lock {
namespace {

pep::Target target(const char* python, const char* platform) {
  auto t = pep::cross_target(python, platform);
  EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().message);
  return *t;
}

LockedWheel wheel(const std::string& name) {
  return LockedWheel{name, "https://files.example/" + name, 100, std::string(64, 'a')};
}

LockedPackage entry(const std::string& name, const std::string& version, std::vector<std::string> wheels,
                    const std::string& marker = "") {
  LockedPackage p;
  p.name = name;
  p.version = pep::Version::from(version);
  for (const auto& w : wheels) p.wheels.push_back(wheel(w));
  p.marker = marker;
  return p;
}

// name==version:wheel of each selected entry.
std::string picked(const Result<Lock>& lock) {
  if (!lock) return "error: " + lock.error().message;
  std::string out;
  for (const auto& p : lock->packages) {
    out += (out.empty() ? "" : " ") + p.name + "==" + p.version.to_string() + ":" + p.wheels.front().name;
  }
  return out;
}

Lock universal() {
  Lock lock;
  lock.requires_python = ">=3.10";
  lock.packages = {
      entry("numpy", "2.1.0",
            {"numpy-2.1.0-cp311-cp311-manylinux_2_17_x86_64.whl", "numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
             "numpy-2.1.0-cp312-cp312-manylinux_2_17_aarch64.whl", "numpy-2.1.0-cp312-cp312-macosx_11_0_arm64.whl"}),
      entry("pywin", "306", {"pywin-306-py3-none-any.whl"}, "sys_platform == \"win32\""),
      entry("uvloop", "0.21.0", {"uvloop-0.21.0-py3-none-any.whl"}, "sys_platform == \"linux\""),
      entry("uvloop", "0.19.0", {"uvloop-0.19.0-py3-none-any.whl"}, "sys_platform == \"darwin\""),
      entry("tomli", "2.0.1", {"tomli-2.0.1-py3-none-any.whl"}, "python_version < \"3.11\""),
  };
  return lock;
}

TEST(SelectTest, EachTargetGetsItsEntriesAndItsBestWheel) {
  const Lock lock = universal();
  EXPECT_EQ(picked(select_for_target(lock, target("3.11", "x86_64-manylinux_2_28"), "pylock.toml")),
            "numpy==2.1.0:numpy-2.1.0-cp311-cp311-manylinux_2_17_x86_64.whl uvloop==0.21.0:uvloop-0.21.0-py3-none-any.whl");
  EXPECT_EQ(picked(select_for_target(lock, target("3.12", "aarch64-manylinux_2_28"), "pylock.toml")),
            "numpy==2.1.0:numpy-2.1.0-cp312-cp312-manylinux_2_17_aarch64.whl uvloop==0.21.0:uvloop-0.21.0-py3-none-any.whl");
  EXPECT_EQ(picked(select_for_target(lock, target("3.12", "aarch64-apple-darwin"), "pylock.toml")),
            "numpy==2.1.0:numpy-2.1.0-cp312-cp312-macosx_11_0_arm64.whl uvloop==0.19.0:uvloop-0.19.0-py3-none-any.whl");
}

TEST(SelectTest, NoWheelForTheTargetNamesPackageTargetAndWheels) {
  const Lock lock = universal();
  auto out = select_for_target(lock, target("3.10", "x86_64-manylinux_2_28"), "pylock.toml");
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("numpy 2.1.0 has no wheel for"), std::string::npos) << out.error().message;
  EXPECT_NE(out.error().message.find("3.10"), std::string::npos) << out.error().message;
  EXPECT_NE(out.error().message.find("numpy-2.1.0-cp311-cp311-manylinux_2_17_x86_64.whl"), std::string::npos);
}

TEST(SelectTest, TwoEntriesForOneNameOnOneTargetAreAnError) {
  Lock lock;
  lock.packages = {entry("a", "1.0", {"a-1.0-py3-none-any.whl"}, "python_version >= \"3.10\""),
                   entry("a", "2.0", {"a-2.0-py3-none-any.whl"}, "sys_platform == \"linux\"")};
  auto out = select_for_target(lock, target("3.12", "x86_64-manylinux_2_28"), "pylock.toml");
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("two entries of a apply to"), std::string::npos) << out.error().message;
  // Elsewhere they do not overlap.
  EXPECT_EQ(picked(select_for_target(lock, target("3.12", "aarch64-apple-darwin"), "pylock.toml")), "a==1.0:a-1.0-py3-none-any.whl");
}

TEST(SelectTest, RequiresPythonAndEnvironmentsAreHonoured) {
  Lock lock = universal();
  lock.requires_python = ">=3.12";
  auto old = select_for_target(lock, target("3.11", "x86_64-manylinux_2_28"), "pylock.toml");
  ASSERT_FALSE(old.ok());
  EXPECT_NE(old.error().message.find("requires Python >=3.12"), std::string::npos) << old.error().message;
  lock.requires_python.clear();
  lock.environments = {"sys_platform == \"darwin\""};
  auto linux = select_for_target(lock, target("3.12", "x86_64-manylinux_2_28"), "pylock.toml");
  ASSERT_FALSE(linux.ok());
  LockedPackage p = entry("b", "1.0", {"b-1.0-py3-none-any.whl"});
  p.requires_python = ">=3.13";
  Lock one;
  one.packages = {p};
  auto too_old = select_for_target(one, target("3.12", "x86_64-manylinux_2_28"), "pylock.toml");
  ASSERT_FALSE(too_old.ok());
  EXPECT_NE(too_old.error().message.find("b 1.0 requires Python >=3.13"), std::string::npos) << too_old.error().message;
}

TEST(SelectTest, DependencyGroupMarkersUseTheLocksDefaultGroups) {
  Lock lock;
  lock.packages = {entry("pytest", "8.0", {"pytest-8.0-py3-none-any.whl"}, "\"dev\" in dependency_groups"),
                   entry("sphinx", "7.0", {"sphinx-7.0-py3-none-any.whl"}, "\"docs\" in dependency_groups")};
  lock.default_groups = {"dev"};
  EXPECT_EQ(picked(select_for_target(lock, target("3.12", "x86_64-manylinux_2_28"), "pylock.toml")),
            "pytest==8.0:pytest-8.0-py3-none-any.whl");
}

TEST(SelectTest, MarkersAndPackageRequiresPythonSurviveAReadAndAreRefusedWhenBroken) {
  Lock lock = universal();
  lock.packages[0].requires_python = ">=3.10";
  lock.default_groups = {"dev"};
  auto again = Lock::parse(lock.serialize(), "pylock.toml");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again->same_content(lock));
  EXPECT_EQ(again->packages.size(), 5U);
  const std::string broken = "lock-version = \"1.0\"\n[[packages]]\nname = \"a\"\nversion = \"1\"\nmarker = \"sys_platform ==\"\n"
                             "[[packages.wheels]]\nname = \"a-1-py3-none-any.whl\"\nurl = \"https://x/a-1-py3-none-any.whl\"\n"
                             "hashes = {sha256 = \"" + std::string(64, 'a') + "\"}\n";
  auto refused = Lock::parse(broken, "pylock.toml");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("the `marker` of a is not a PEP 508 marker"), std::string::npos) << refused.error().message;
}

// The shape of `uv export --format pylock.toml` (uv's own snapshot): wheels
// without `name`, `upload-time` datetimes, an sdist beside the wheels.
TEST(SelectTest, ALockExportedByUvIsReadAndSelected) {
  const std::string hash = std::string(64, 'e');
  const std::string text = "lock-version = \"1.0\"\ncreated-by = \"uv\"\nrequires-python = \">=3.12\"\n\n"
                           "[[packages]]\nname = \"anyio\"\nversion = \"3.7.0\"\nindex = \"https://pypi.org/simple\"\n"
                           "sdist = { url = \"https://files.example/c6/anyio-3.7.0.tar.gz\", upload-time = 2023-05-27T11:12:46Z, size = 142737, hashes = { sha256 = \"" + hash + "\" } }\n"
                           "wheels = [{ url = \"https://files.example/68/anyio-3.7.0-py3-none-any.whl\", upload-time = 2023-05-27T11:12:44Z, size = 80873, hashes = { sha256 = \"" + hash + "\" } }]\n\n"
                           "[[packages]]\nname = \"sniffio\"\nversion = \"1.3.1\"\nmarker = \"sys_platform == 'linux'\"\n"
                           "wheels = [{ url = \"https://files.example/e9/sniffio-1.3.1-py3-none-any.whl?x=1\", size = 10235, hashes = { sha256 = \"" + hash + "\" } }]\n";
  auto lock = Lock::parse(text, "pylock.toml");
  ASSERT_TRUE(lock.ok()) << lock.error().message;
  EXPECT_EQ(lock->packages[0].wheels[0].name, "anyio-3.7.0-py3-none-any.whl") << "the name comes from the URL";
  EXPECT_EQ(lock->packages[1].wheels[0].name, "sniffio-1.3.1-py3-none-any.whl");
  EXPECT_EQ(picked(select_for_target(*lock, target("3.12", "x86_64-manylinux_2_28"), "pylock.toml")),
            "anyio==3.7.0:anyio-3.7.0-py3-none-any.whl sniffio==1.3.1:sniffio-1.3.1-py3-none-any.whl");
  EXPECT_EQ(picked(select_for_target(*lock, target("3.12", "aarch64-apple-darwin"), "pylock.toml")),
            "anyio==3.7.0:anyio-3.7.0-py3-none-any.whl");
  // uv exports the project itself as a directory entry: read, and selected (built at install time).
  auto project = Lock::parse(text + "\n[[packages]]\nname = \"project\"\nversion = \"0.1\"\ndirectory = { path = \".\", editable = true }\n",
                             "pylock.toml");
  ASSERT_TRUE(project.ok()) << project.error().message;
  ASSERT_TRUE(project->packages.back().directory.has_value());
  EXPECT_EQ(project->packages.back().directory->path, ".");
  EXPECT_TRUE(project->packages.back().directory->editable);
  project->resolve_paths("/work/repo");
  EXPECT_EQ(project->packages.back().directory->path, "/work/repo");
  auto selected = select_for_target(*project, target("3.12", "x86_64-manylinux_2_28"), "pylock.toml");
  ASSERT_TRUE(selected.ok()) << selected.error().message;
  EXPECT_TRUE(selected->packages.back().wheels.empty());
  EXPECT_NE(project->serialize("/work").find("path = 'repo'"), std::string::npos) << project->serialize("/work");
}

// PEP 751 `path` (what uv writes for local files): relative to the lock's
// directory, a file:// URL once read with a base, and written back as a path
// relative to where the lock is written, so the lock works in every clone.
TEST(SelectTest, LocalWheelsAndSdistsArePathsRelativeToTheLock) {
  const std::string hash = std::string(64, 'e');
  const std::string text = "lock-version = \"1.0\"\ncreated-by = \"uv\"\n\n"
                           "[[packages]]\nname = \"demo\"\nversion = \"1.0\"\n"
                           "sdist = { path = \"dist/demo 1.0.tar.gz\", hashes = { sha256 = \"" + hash + "\" } }\n"
                           "wheels = [{ path = \"dist/demo-1.0-py3-none-any.whl\", hashes = { sha256 = \"" + hash + "\" } }]\n";
  auto lock = Lock::parse(text, "pylock.toml");
  ASSERT_TRUE(lock.ok()) << lock.error().message;
  EXPECT_EQ(lock->packages[0].wheels[0].name, "demo-1.0-py3-none-any.whl") << "the name comes from the path";
  EXPECT_EQ(lock->packages[0].sdist->name, "demo 1.0.tar.gz");
  lock->resolve_paths("/work/repo");
  EXPECT_EQ(lock->packages[0].wheels[0].url, "file:///work/repo/dist/demo-1.0-py3-none-any.whl");
  EXPECT_EQ(lock->packages[0].sdist->url, "file:///work/repo/dist/demo%201.0.tar.gz");
  const std::string written = lock->serialize("/work/repo");
  EXPECT_NE(written.find("path = 'dist/demo-1.0-py3-none-any.whl'"), std::string::npos) << written;
  EXPECT_NE(written.find("path = 'dist/demo 1.0.tar.gz'"), std::string::npos) << written;
  EXPECT_EQ(written.find("file://"), std::string::npos) << written;
  EXPECT_NE(lock->serialize("/work").find("path = 'repo/dist/demo-1.0-py3-none-any.whl'"), std::string::npos);
  // Read back where it was written: the same lock.
  auto again = Lock::parse(written, "pylock.toml");
  ASSERT_TRUE(again.ok()) << again.error().message;
  again->resolve_paths("/work/repo");
  EXPECT_TRUE(again->same_content(*lock));
  // Neither a URL nor a path: refused, naming what is missing.
  auto refused = Lock::parse("lock-version = \"1.0\"\n[[packages]]\nname = \"demo\"\nversion = \"1.0\"\n"
                             "wheels = [{ name = \"demo-1.0-py3-none-any.whl\", hashes = { sha256 = \"" + hash + "\" } }]\n",
                             "pylock.toml");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("needs a `url` or `path`"), std::string::npos) << refused.error().message;
}

TEST(SelectTest, AWheelNameThatIsNoWheelIsRefusedNotSkipped) {
  Lock lock;
  lock.packages = {entry("a", "1.0", {"a-1.0.tar.gz", "a-1.0-py3-none-any.whl"})};
  auto out = select_for_target(lock, target("3.12", "x86_64-manylinux_2_28"), "pylock.toml");
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("wheel `a-1.0.tar.gz` of a 1.0 is not a wheel file name"), std::string::npos)
      << out.error().message;
}

}  // namespace
}  // namespace uvauth::lock

namespace uvauth::lock {
namespace {

// PEP 751: a lock fits a target when any one of its environments holds.
TEST(CheckTargetTest, AnyEnvironmentOfTheListIsEnough) {
  Lock lock;
  lock.target = "universal (requires-python >=3.11)";
  lock.environments = {"sys_platform == 'darwin'", "sys_platform == 'linux'"};
  const pep::MarkerEnvironment linux_env{{"sys_platform", "linux"}, {"python_version", "3.11"}, {"platform_machine", "x86_64"},
                                         {"implementation_name", "cpython"}};
  EXPECT_TRUE(lock.check_target(linux_env, "pylock.toml"));
  lock.environments = {"sys_platform == 'darwin'"};
  auto refused = lock.check_target(linux_env, "pylock.toml");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("the environments `sys_platform == 'darwin'`"), std::string::npos) << refused.error().message;
}

}  // namespace
}  // namespace uvauth::lock
