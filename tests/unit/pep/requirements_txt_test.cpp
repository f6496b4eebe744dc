#include "uvauth/pep/requirements_txt.hpp"

#include <gtest/gtest.h>

#include <map>

namespace uvauth::pep {
namespace {

// Files in memory, so the parser's includes need no disk.
struct Files {
  std::map<std::string, std::string> content;
  FileLoader loader() const {
    return [this](const std::filesystem::path& p) -> Result<std::string> {
      auto it = content.find(p.lexically_normal().string());
      if (it == content.end()) return Error(ErrorKind::io, "cannot read " + p.string());
      return it->second;
    };
  }
};

EnvironmentLookup env(std::map<std::string, std::string> values) {
  return [values](std::string_view name) -> std::optional<std::string> {
    auto it = values.find(std::string(name));
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

TEST(RequirementsTxtTest, ReadsPipsFormat) {
  Files files;
  files.content["/p/requirements.txt"] =
      "# tools for the build\n"
      "--index-url https://${CORP_HOST}/simple\n"
      "--extra-index-url=https://mirror.example/simple\n"
      "-f ./wheels\n"
      "jinja2>=3 \\\n"
      "    ; python_version >= '3.8'   # templates\n"
      "pyyaml==6.0.1 --hash=sha256:" + std::string(64, 'A') + " --hash sha256:" + std::string(64, 'd') + "\n"
      "-r base.txt\n"
      "-c constraints.txt\n"
      "pkg @ https://files.example/pkg-1.0-py3-none-any.whl#sha256=00\n"
      "https://files.example/other_pkg-2.0-py3-none-any.whl\n"
      "--pre\n"
      "--only-binary :all:\n";
  files.content["/p/base.txt"] = "requests[socks] ~= 2.31\n";
  files.content["/p/constraints.txt"] = "urllib3<2\n";
  auto parsed = parse_requirements_txt("/p/requirements.txt", files.loader(), env({{"CORP_HOST", "pypi.corp.example"}}));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->index_url, "https://pypi.corp.example/simple");
  EXPECT_EQ(parsed->extra_index_urls, (std::vector<std::string>{"https://mirror.example/simple"}));
  EXPECT_EQ(parsed->find_links, (std::vector<std::string>{"/p/./wheels"}));
  EXPECT_TRUE(parsed->pre);
  ASSERT_EQ(parsed->requirements.size(), 5U);
  EXPECT_EQ(parsed->requirements[0].requirement.to_string(), "jinja2>=3; python_version >= \"3.8\"");
  EXPECT_EQ(parsed->requirements[0].origin, "/p/requirements.txt:5");
  EXPECT_EQ(parsed->requirements[1].hashes, (std::vector<std::string>{"sha256:" + std::string(64, 'a'), "sha256:" + std::string(64, 'd')}));
  EXPECT_EQ(parsed->requirements[2].requirement.to_string(), "requests[socks]~=2.31");
  EXPECT_EQ(parsed->requirements[2].origin, "/p/base.txt:1");
  EXPECT_EQ(parsed->requirements[3].requirement.url, "https://files.example/pkg-1.0-py3-none-any.whl#sha256=00");
  EXPECT_EQ(parsed->requirements[4].requirement.name, "other-pkg");
  ASSERT_EQ(parsed->constraints.size(), 1U);
  EXPECT_EQ(parsed->constraints[0].requirement.to_string(), "urllib3<2");
}

TEST(RequirementsTxtTest, UnsetVariablesStayAsWritten) {
  Files files;
  files.content["/r.txt"] = "--index-url https://${NOPE}/simple\n";
  auto parsed = parse_requirements_txt("/r.txt", files.loader(), env({}));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->index_url, "https://${NOPE}/simple");
}

struct BadFile {
  const char* text;
  const char* message;
};

TEST(RequirementsTxtTest, UnsupportedOrBrokenLinesNameFileAndLine) {
  const BadFile cases[] = {
      {"--frobnicate\n", "/r.txt:1: unsupported option '--frobnicate'"},
      {"-e\n", "/r.txt:1: -e needs a project directory"},
      {"-e https://h/x.tar.gz\n", "/r.txt:1: -e needs a local project directory"},
      {"--no-binary bad!name\n", "/r.txt:1: --no-binary bad!name is not a package name"},
      {"pkg ==\n", "/r.txt:1: invalid requirement 'pkg =='"},
      {"pkg --install-option=x\n", "/r.txt:1: unsupported option '--install-option' after a requirement"},
      {"pkg --hash=nodigest\n", "/r.txt:1: --hash needs algorithm:digest"},
      {"-r\n", "/r.txt:1: -r needs a file"},
      {"-r missing.txt\n", "cannot read /missing.txt"},
      {"-r /r.txt\n", "/r.txt: includes itself"},
      {"-r https://h/r.txt\n", "/r.txt:1: remote requirement files are not supported"},
  };
  for (const auto& c : cases) {
    Files files;
    files.content["/r.txt"] = c.text;
    auto parsed = parse_requirements_txt("/r.txt", files.loader(), env({}));
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_EQ(parsed.error().message.rfind(c.message, 0), 0U) << parsed.error().message;
  }
}

// A wheel given as a path is that wheel (its file name says the project), not
// a project to build: `./dist/x.whl` and a bare `x-1.0-py3-none-any.whl`, as pip and uv take them.
TEST(RequirementsTxtTest, WheelPathsNameTheirProject) {
  Files files;
  files.content["/repo/r.txt"] = "./dist/Demo_Pkg-1.0-py3-none-any.whl\nother-2.0-py3-none-any.whl ; python_version >= '3'\n";
  auto parsed = parse_requirements_txt("/repo/r.txt", files.loader(), env({}));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->requirements.size(), 2U);
  EXPECT_EQ(parsed->requirements[0].requirement.url, "file:///repo/dist/Demo_Pkg-1.0-py3-none-any.whl");
  EXPECT_EQ(parsed->requirements[0].requirement.name, "demo-pkg");
  EXPECT_EQ(parsed->requirements[1].requirement.url, "file:///repo/other-2.0-py3-none-any.whl");
  EXPECT_EQ(parsed->requirements[1].requirement.name, "other");
  EXPECT_TRUE(parsed->requirements[1].requirement.marker.has_value());
}

// Seen: a bare wheel URL's marker was dropped (the requirement then applied
// everywhere), and a bare Git URL was refused as "invalid wheel filename".
TEST(RequirementsTxtTest, BareUrlsNameTheirProjectAndKeepTheirMarker) {
  Files files;
  files.content["/repo/r.txt"] =
      "https://h.example/files/Demo_Pkg-1.0-py3-none-any.whl#sha256=00 ; python_version < '3'\n"
      "https://h.example/files/other-2.0.tar.gz\n";
  auto parsed = parse_requirements_txt("/repo/r.txt", files.loader(), env({}));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->requirements.size(), 2U);
  EXPECT_EQ(parsed->requirements[0].requirement.name, "demo-pkg");
  EXPECT_EQ(parsed->requirements[0].requirement.url, "https://h.example/files/Demo_Pkg-1.0-py3-none-any.whl#sha256=00");
  ASSERT_TRUE(parsed->requirements[0].requirement.marker.has_value());
  EXPECT_EQ(parsed->requirements[0].requirement.marker->to_string(), "python_version < \"3\"");
  EXPECT_EQ(parsed->requirements[1].requirement.name, "other");
  EXPECT_FALSE(parsed->requirements[1].requirement.marker.has_value());

  files.content["/repo/git.txt"] = "git+https://alice:s3cret@h.example/x.git@v1\n";
  auto git = parse_requirements_txt("/repo/git.txt", files.loader(), env({}));
  ASSERT_FALSE(git.ok());
  EXPECT_NE(git.error().message.find("does not say which project it is: write `NAME @ git+https://"), std::string::npos)
      << git.error().message;
  EXPECT_EQ(git.error().message.find("s3cret"), std::string::npos) << git.error().message;

  EXPECT_FALSE(url_requirement("six>=1").has_value()) << "no URL: not this form";
  auto bad_marker = url_requirement("https://h.example/x-1.0-py3-none-any.whl ; python_version >< '3'");
  ASSERT_TRUE(bad_marker.has_value());
  EXPECT_FALSE(bad_marker->ok());
}

TEST(RequirementsTxtTest, PathsEditablesAndNoBinary) {
  Files files;
  files.content["/repo/r.txt"] = "-e ./tools/gen\n./local/project\n../up-1.0.tar.gz ; python_version >= '3'\n--no-binary a,b\n"
                                 "name @ file:///abs/dir\n";
  auto parsed = parse_requirements_txt("/repo/r.txt", files.loader(), env({}));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->requirements.size(), 4U);
  EXPECT_EQ(parsed->requirements[0].requirement.url, "file:///repo/tools/gen");
  EXPECT_TRUE(parsed->requirements[0].requirement.editable);
  EXPECT_EQ(parsed->requirements[0].requirement.name, "");
  EXPECT_EQ(parsed->requirements[1].requirement.url, "file:///repo/local/project");
  EXPECT_FALSE(parsed->requirements[1].requirement.editable);
  EXPECT_EQ(parsed->requirements[2].requirement.url, "file:///up-1.0.tar.gz");
  EXPECT_EQ(parsed->requirements[2].requirement.name, "up");
  EXPECT_TRUE(parsed->requirements[2].requirement.marker.has_value());
  EXPECT_EQ(parsed->requirements[3].requirement.name, "name");
  EXPECT_EQ(parsed->no_binary, (std::vector<std::string>{"a", "b"}));
}

TEST(RequirementsTxtTest, CommentsNeedWhiteSpaceBeforeTheHash) {
  Files files;
  files.content["/r.txt"] = "pkg @ https://h/pkg-1.0-py3-none-any.whl#sha256=ab # a comment\n#whole line\n";
  auto parsed = parse_requirements_txt("/r.txt", files.loader(), env({}));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->requirements.size(), 1U);
  EXPECT_EQ(parsed->requirements[0].requirement.url, "https://h/pkg-1.0-py3-none-any.whl#sha256=ab");
}

}  // namespace
}  // namespace uvauth::pep
