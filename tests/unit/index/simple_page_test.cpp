// Index pages, HTML (PEP 503) and JSON (PEP 691). The link cases follow the
// ones uv's and pip's index-page parsers are tested with.
#include "uvauth/index/simple_page.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace uvauth::index {
namespace {

const Url page = *Url::parse("https://download.example/simple/jinja2/");
constexpr const char* sha = "6088930bfe239f0e6710546ab9c19c9ef35e29792895fed6e6e31a023a182a61";

struct LinkCase {
  const char* name;
  std::string html;  // one <a> element (or more context)
  const char* filename;
  const char* url;
  const char* sha256;  // "" for none
};

TEST(HtmlPageTest, LinkCases) {
  const std::string h = sha;
  const LinkCase cases[] = {
      {"sha256 fragment", "<a href=\"/whl/Jinja2-3.1.2-py3-none-any.whl#sha256=" + h + "\">Jinja2-3.1.2-py3-none-any.whl</a>",
       "Jinja2-3.1.2-py3-none-any.whl", "https://download.example/whl/Jinja2-3.1.2-py3-none-any.whl", sha},
      {"md5 only", "<a href=\"/whl/Jinja2-3.1.2-py3-none-any.whl#md5=" + h + "\">x</a>", "Jinja2-3.1.2-py3-none-any.whl",
       "https://download.example/whl/Jinja2-3.1.2-py3-none-any.whl", ""},
      {"base href", "<html><head><base href=\"https://index.python.org/\"></head><a href=\"/whl/J-1.0-py3-none-any.whl\">J</a>",
       "J-1.0-py3-none-any.whl", "https://index.python.org/whl/J-1.0-py3-none-any.whl", ""},
      {"entity in href", "<a href=\"/whl/Jinja2-3.1.2&#43;233fca715f49-py3-none-any.whl#sha256=" + h + "\">x</a>",
       "Jinja2-3.1.2+233fca715f49-py3-none-any.whl", "https://download.example/whl/Jinja2-3.1.2+233fca715f49-py3-none-any.whl", sha},
      {"percent-encoded fragment", "<a href=\"/whl/Jinja2-3.1.2-py3-none-any.whl#sha256%3D" + h + "\">x</a>",
       "Jinja2-3.1.2-py3-none-any.whl", "https://download.example/whl/Jinja2-3.1.2-py3-none-any.whl", sha},
      {"percent-encoded file name", "<a href=\"cpu/torchtext-0.17.0%2Bcpu-cp39-cp39-win_amd64.whl\">cpu/torchtext</a>",
       "torchtext-0.17.0+cpu-cp39-cp39-win_amd64.whl", "https://download.example/simple/jinja2/cpu/torchtext-0.17.0%2Bcpu-cp39-cp39-win_amd64.whl", ""},
      {"empty fragment", "<a href=\"/whl/J-1.0-py3-none-any.whl#\">J</a>", "J-1.0-py3-none-any.whl",
       "https://download.example/whl/J-1.0-py3-none-any.whl", ""},
      {"query string kept", "<a href=\"/whl/J-1.0-py3-none-any.whl?project=legacy\">J</a>", "J-1.0-py3-none-any.whl",
       "https://download.example/whl/J-1.0-py3-none-any.whl?project=legacy", ""},
      {"unknown fragment", "<a href=\"/whl/J-1.0-py3-none-any.whl#main\">J</a>", "J-1.0-py3-none-any.whl",
       "https://download.example/whl/J-1.0-py3-none-any.whl", ""},
      {"unknown hash", "<a href=\"/whl/J-1.0-py3-none-any.whl#blake2=" + h + "\">J</a>", "J-1.0-py3-none-any.whl",
       "https://download.example/whl/J-1.0-py3-none-any.whl", ""},
      {"upper-case tags, single quotes", "<A HREF='J-1.0-py3-none-any.whl#SHA256=" + h + "'>J</A>", "J-1.0-py3-none-any.whl",
       "https://download.example/simple/jinja2/J-1.0-py3-none-any.whl", sha},
      {"unquoted attribute", "<a href=J-1.0-py3-none-any.whl data-yanked>J</a>", "J-1.0-py3-none-any.whl",
       "https://download.example/simple/jinja2/J-1.0-py3-none-any.whl", ""},
      {"absolute URL elsewhere", "<a href=\"https://files.example/J-1.0-py3-none-any.whl\">J</a>", "J-1.0-py3-none-any.whl",
       "https://files.example/J-1.0-py3-none-any.whl", ""},
      // pip's cases (tests/unit/test_collector.py): spaces quoted, quoting kept.
      {"space in path (pip)", "<a href=\"https://localhost.localdomain:8181/path/with space/x-1.0-py3-none-any.whl\">x</a>",
       "x-1.0-py3-none-any.whl", "https://localhost.localdomain:8181/path/with%20space/x-1.0-py3-none-any.whl", ""},
      {"already quoted (pip)", "<a href=\"https://127.0.0.1:8181/path/with%20quoted%20space/x-1.0-py3-none-any.whl\">x</a>",
       "x-1.0-py3-none-any.whl", "https://127.0.0.1:8181/path/with%20quoted%20space/x-1.0-py3-none-any.whl", ""},
      {"IPv6 host (pip)", "<a href=\"https://[fd00:0:0:236::100]:8181/path/with space/x-1.0-py3-none-any.whl\">x</a>",
       "x-1.0-py3-none-any.whl", "https://[fd00:0:0:236::100]:8181/path/with%20space/x-1.0-py3-none-any.whl", ""},
      {"quoted slash stays (pip)", "<a href=\"https://example.com/access%2Ftoken/path/x-1.0-py3-none-any.whl\">x</a>",
       "x-1.0-py3-none-any.whl", "https://example.com/access%2Ftoken/path/x-1.0-py3-none-any.whl", ""},
      {"commented link ignored", "<!-- <a href=\"/no.whl\">no</a> --><a href=\"/yes-1.0-py3-none-any.whl\">y</a>",
       "yes-1.0-py3-none-any.whl", "https://download.example/yes-1.0-py3-none-any.whl", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto parsed = parse_html_page(c.html, page);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_EQ(parsed->files.size(), 1U);
    const auto& f = parsed->files[0];
    EXPECT_EQ(f.filename, c.filename);
    EXPECT_EQ(f.url.without_userinfo(), c.url);
    EXPECT_EQ(f.sha256().value_or(""), c.sha256);
  }
}

TEST(HtmlPageTest, AttributesOfPep503592658700) {
  const std::string html =
      "<a href=\"a-1.0-py3-none-any.whl\" data-requires-python=\"&gt;=3.8,\" data-yanked=\"broken &amp; bad\" "
      "data-core-metadata=\"sha256=" + std::string(60, 'A') + "AB12\" data-size=\"1234\" data-upload-time=\"2024-01-01T00:00:00Z\">a</a>"
      "<a href=\"b-1.0-py3-none-any.whl\" data-dist-info-metadata=\"true\" data-yanked=\"\">b</a>"
      "<a href=\"c-1.0.tar.gz\">c</a>";
  auto parsed = parse_html_page(html, page);
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->files.size(), 3U);
  const auto& a = parsed->files[0];
  EXPECT_EQ(a.requires_python, ">=3.8,");
  EXPECT_EQ(a.yanked, "broken & bad");
  EXPECT_TRUE(a.core_metadata);
  EXPECT_EQ(a.core_metadata_hashes.at("sha256"), std::string(60, 'a') + "ab12");
  EXPECT_EQ(a.size, 1234U);
  EXPECT_EQ(a.upload_time, "2024-01-01T00:00:00Z");
  EXPECT_TRUE(parsed->files[1].core_metadata);
  EXPECT_EQ(parsed->files[1].yanked, "");
  EXPECT_FALSE(parsed->files[2].is_wheel());
}

struct AttributeCase {
  const char* attributes;
  std::optional<std::string> requires_python;
  std::optional<std::string> yanked;
};

// pip's data-attribute cases: decoded exactly once, present-but-empty kept.
TEST(HtmlPageTest, DataAttributesAreUnescapedOnce) {
  const AttributeCase cases[] = {
      {"", std::nullopt, std::nullopt},
      {"data-requires-python", std::nullopt, std::nullopt},
      {"data-requires-python=\"&gt;=3.6\"", ">=3.6", std::nullopt},
      {"data-requires-python=\"&amp;gt;=3.6\"", "&gt;=3.6", std::nullopt},
      {"data-yanked", std::nullopt, ""},
      {"data-yanked=\"\"", std::nullopt, ""},
      {"data-yanked=\"error\"", std::nullopt, "error"},
      {"data-yanked=\"version &lt 1\"", std::nullopt, "version < 1"},
      {"data-yanked=\"curlyquote \u2018\"", std::nullopt, "curlyquote \u2018"},
      {"data-yanked=\"version &amp;lt; 1\"", std::nullopt, "version &lt; 1"},
  };
  for (const auto& c : cases) {
    const std::string html = std::string("<html><head><meta charset=\"utf-8\"><head><body><a href=\"/pkg-1.0.tar.gz\" ") +
                             c.attributes + "></a></body></html>";
    auto parsed = parse_html_page(html, page);
    ASSERT_TRUE(parsed.ok());
    ASSERT_EQ(parsed->files.size(), 1U) << c.attributes;
    EXPECT_EQ(parsed->files[0].requires_python, c.requires_python) << c.attributes;
    EXPECT_EQ(parsed->files[0].yanked, c.yanked) << c.attributes;
  }
}

TEST(HtmlPageTest, BrokenLinksAreSkippedWithAWarningNotAFailure) {
  auto parsed = parse_html_page("<a>no href</a><a href=\"\">empty</a><a href=\"x%2F..%2F..%2Fetc%2Fpasswd\">evil</a>"
                                "<a href=\"ok-1.0-py3-none-any.whl\">ok</a><a href=\"unterminated", page);
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->files.size(), 1U);
  EXPECT_EQ(parsed->files[0].filename, "ok-1.0-py3-none-any.whl");
  EXPECT_EQ(parsed->warnings.size(), 3U);
}

// The links of a page share their directory, which is resolved once; every
// link must come out as resolving it whole would make it, in any order and
// after a <base>.
TEST(HtmlPageTest, LinksSharingADirectoryResolveAsEachAlone) {
  const std::vector<std::string> hrefs = {
      "../../files/a-1.0-py3-none-any.whl#sha256=" + std::string(sha),
      "../../files/b-1.0-py3-none-any.whl",
      "c-1.0.tar.gz",
      "../../files/d+local-1.0.tar.gz#md5=00",
      "/abs/e-1.0.zip",
      "../../files/./f-1.0.zip",
      "../../files/../g-1.0.zip",
      "https://other.example/h-1.0.zip",
      "../../files/i%2B-1.0.zip",
      "../../files/j-1.0.zip?x=1",
      "./k-1.0.zip",
      "../../files/l-1.0.zip",
  };
  std::string all;
  for (const auto& h : hrefs) all += "<a href=\"" + h + "\">x</a>\n";
  auto together = parse_html_page(all, page);
  ASSERT_TRUE(together.ok()) << together.error().message;
  ASSERT_EQ(together->files.size(), hrefs.size());
  for (std::size_t i = 0; i < hrefs.size(); ++i) {
    SCOPED_TRACE(hrefs[i]);
    auto alone = parse_html_page("<a href=\"" + hrefs[i] + "\">x</a>", page);
    ASSERT_TRUE(alone.ok() && alone->files.size() == 1);
    auto whole = page.join(hrefs[i]);
    ASSERT_TRUE(whole.ok());
    EXPECT_EQ(together->files[i].url.without_userinfo(), whole->with_fragment_removed().without_userinfo());
    EXPECT_EQ(together->files[i].url.without_userinfo(), alone->files[0].url.without_userinfo());
    EXPECT_EQ(together->files[i].filename, alone->files[0].filename);
    EXPECT_EQ(together->files[i].hashes, alone->files[0].hashes);
  }
  EXPECT_EQ(together->files[0].hashes.at("sha256"), sha);
  auto based = parse_html_page("<a href=\"a-1.0.zip\">x</a><base href=\"https://cdn.example/p/\"><a href=\"b-1.0.zip\">y</a>", page);
  ASSERT_TRUE(based.ok());
  ASSERT_EQ(based->files.size(), 2U);
  EXPECT_EQ(based->files[0].url.without_userinfo(), "https://download.example/simple/jinja2/a-1.0.zip");
  EXPECT_EQ(based->files[1].url.without_userinfo(), "https://cdn.example/p/b-1.0.zip");
}

TEST(JsonPageTest, SameAnswersAsTheHtmlForm) {
  const std::string json = std::string(R"({"meta": {"api-version": "1.1"}, "name": "jinja2", "versions": ["3.1.2"],
    "files": [
      {"filename": "Jinja2-3.1.2-py3-none-any.whl", "url": "/whl/Jinja2-3.1.2-py3-none-any.whl",
       "hashes": {"sha256": ")") + sha + R"("}, "requires-python": ">=3.7", "yanked": "bad build",
       "core-metadata": {"sha256": ")" + std::string(60, 'A') + R"(AB12"}, "size": 133101, "upload-time": "2022-04-28T17:21:25.112Z"},
      {"filename": "Jinja2-3.1.1-py3-none-any.whl", "url": "https://files.example/Jinja2-3.1.1-py3-none-any.whl",
       "hashes": {}, "dist-info-metadata": true, "yanked": false}
    ]})";
  auto parsed = parse_json_page(json, page);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->name, "jinja2");
  ASSERT_EQ(parsed->files.size(), 2U);
  const auto& f = parsed->files[0];
  EXPECT_EQ(f.url.without_userinfo(), "https://download.example/whl/Jinja2-3.1.2-py3-none-any.whl");
  EXPECT_EQ(f.sha256(), sha);
  EXPECT_EQ(f.requires_python, ">=3.7");
  EXPECT_EQ(f.yanked, "bad build");
  EXPECT_TRUE(f.core_metadata);
  EXPECT_EQ(f.core_metadata_hashes.at("sha256"), std::string(60, 'a') + "ab12");
  EXPECT_EQ(f.size, 133101U);
  EXPECT_TRUE(parsed->files[1].core_metadata);
  EXPECT_FALSE(parsed->files[1].yanked.has_value());

  const std::string html = std::string("<a href=\"/whl/Jinja2-3.1.2-py3-none-any.whl#sha256=") + sha +
                           "\" data-requires-python=\">=3.7\" data-yanked=\"bad build\" data-core-metadata=\"sha256=" + std::string(60, 'A') + "AB12\">x</a>";
  auto from_html = parse_html_page(html, page);
  ASSERT_TRUE(from_html.ok());
  const auto& g = from_html->files[0];
  EXPECT_EQ(g.filename, f.filename);
  EXPECT_EQ(g.url, f.url);
  EXPECT_EQ(g.hashes, f.hashes);
  EXPECT_EQ(g.requires_python, f.requires_python);
  EXPECT_EQ(g.yanked, f.yanked);
  EXPECT_EQ(g.core_metadata_hashes, f.core_metadata_hashes);
}

struct BadJson {
  const char* text;
  const char* fragment;
};

TEST(JsonPageTest, MalformedPagesNameTheUrl) {
  const BadJson cases[] = {
      {"{not json", "invalid JSON from https://download.example/simple/jinja2/"},
      {"[]", "unexpected JSON from https://download.example/simple/jinja2/: not an object"},
      {"{\"name\": \"x\"}", "no `files` array"},
      {"{\"meta\": {\"api-version\": \"2.0\"}, \"files\": []}", "unsupported api-version 2.0"},
  };
  for (const auto& c : cases) {
    auto parsed = parse_json_page(c.text, page);
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_NE(parsed.error().message.find(c.fragment), std::string::npos) << parsed.error().message;
  }
}

// Seen: 2 MiB of `<a href=x ` with no `>` ran past 60 s (quadratic).
TEST(HtmlPageTest, UnterminatedTagsParseInLinearTime) {
  for (const std::string unit : {"<a href=x ", "<a href=\"x", "&&&&&&&&&&", "<a title='&amp;&amp;&amp;"}) {
    std::string html;
    while (html.size() < (std::size_t{2} << 20)) html += unit;
    const auto start = std::chrono::steady_clock::now();
    auto parsed = parse_html_page(html, page);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_TRUE(parsed.ok());
    EXPECT_LT(elapsed, std::chrono::seconds(2)) << unit;
  }
}

// Hashes from a page are checked before use: a sha256 that is not a digest
// (it would name a cache file) is dropped, never kept.
TEST(HtmlPageTest, ABadSha256IsDropped) {
  const std::string evil = "../../../escape/" + std::string(48, 'a');
  auto parsed = parse_html_page("<a href=\"x-1.0-py3-none-any.whl#sha256=" + evil + "\" data-core-metadata=\"sha256=" + evil +
                                    "\">x</a><a href=\"y-1.0-py3-none-any.whl#sha256=" + std::string(64, 'A') + "\">y</a>",
                                page);
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->files.size(), 2U);
  EXPECT_FALSE(parsed->files[0].sha256().has_value());
  EXPECT_TRUE(parsed->files[0].core_metadata_hashes.empty());
  EXPECT_EQ(parsed->files[1].sha256().value_or(""), std::string(64, 'a')) << "normalised to lower case";
}

}  // namespace
}  // namespace uvauth::index
