#include "uvauth/pep/metadata.hpp"

#include <gtest/gtest.h>

namespace uvauth::pep {
namespace {

constexpr const char* flask_metadata =
    "Metadata-Version: 2.1\r\n"
    "Name: Flask\r\n"
    "Version: 3.0.2\r\n"
    "Summary: A simple framework for building complex web applications.\r\n"
    "Requires-Python: >=3.8\r\n"
    "Requires-Dist: Werkzeug>=3.0.0\r\n"
    "Requires-Dist: Jinja2>=3.1.2\r\n"
    "Requires-Dist: importlib-metadata>=3.6.0; python_version < '3.10'\r\n"
    "Requires-Dist: asgiref>=3.2 ; extra == 'async'\r\n"
    "Provides-Extra: async\r\n"
    "Provides-Extra: Dot_Env\r\n"
    "Description-Content-Type: text/markdown\r\n"
    "\r\n"
    "Name: not-a-header (this is the description)\r\n";

TEST(MetadataTest, ReadsTheFieldsResolutionNeeds) {
  auto m = CoreMetadata::parse(flask_metadata, "Flask-3.0.2.dist-info/METADATA");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->metadata_version, "2.1");
  EXPECT_EQ(m->name, "Flask");
  EXPECT_EQ(m->version.to_string(), "3.0.2");
  ASSERT_EQ(m->requires_dist.size(), 4U);
  EXPECT_EQ(m->requires_dist[2].to_string(), "importlib-metadata>=3.6.0; python_version < \"3.10\"");
  EXPECT_EQ(m->requires_python->to_string(), ">=3.8");
  EXPECT_EQ(m->provides_extra, (std::vector<std::string>{"async", "dot-env"}));
}

TEST(MetadataTest, ContinuationLinesAndCaseInsensitiveNames) {
  auto m = CoreMetadata::parse("metadata-version: 1.0\nNAME: x\nversion: 1\nSummary: one\n        two\n", "PKG-INFO");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->name, "x");
}

TEST(MetadataTest, InvalidRequiresPythonIsAWarningNotAFailure) {
  auto m = CoreMetadata::parse("Metadata-Version: 2.1\nName: old\nVersion: 1.0\nRequires-Python: >=3.6.*\n", "METADATA");
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m->requires_python.has_value());
  ASSERT_EQ(m->warnings.size(), 1U);
  EXPECT_NE(m->warnings[0].find("METADATA:4"), std::string::npos);
}

struct BadMetadata {
  const char* text;
  const char* message;
};

TEST(MetadataTest, MalformedMetadataNamesSourceAndLine) {
  const BadMetadata cases[] = {
      {"Metadata-Version: 2.1\nName: x\nVersion: 1\nRequires-Dist: !!!\n", "https://h/x.metadata:4: Requires-Dist: invalid requirement '!!!'"},
      {"Metadata-Version: 2.1\nName: x\nVersion: one\n", "https://h/x.metadata:3: invalid version 'one'"},
      {"Metadata-Version: 2.1\nthis is not a header\n", "https://h/x.metadata:2: expected 'Field: value'"},
      {"  leading continuation\n", "https://h/x.metadata:1: a continuation line before any field"},
      {"Metadata-Version: 2.1\nVersion: 1\n", "https://h/x.metadata: no Name field"},
      {"Metadata-Version: 2.1\nName: x\n", "https://h/x.metadata: no Version field"},
      {"Metadata-Version: 3.0\nName: x\nVersion: 1\n", "https://h/x.metadata:1: unsupported Metadata-Version 3.0"},
      {"Metadata-Version: 2.1\nName: -bad-\nVersion: 1\n", "https://h/x.metadata:2: invalid Name '-bad-'"},
      {"", "https://h/x.metadata: no Name field"},
  };
  for (const auto& c : cases) {
    auto m = CoreMetadata::parse(c.text, "https://h/x.metadata");
    ASSERT_FALSE(m.ok()) << c.text;
    EXPECT_EQ(m.error().message.rfind(c.message, 0), 0U) << m.error().message;
  }
}

}  // namespace
}  // namespace uvauth::pep
