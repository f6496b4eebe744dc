// A project's page on a package index: the PEP 503 HTML form and the
// PEP 691 JSON form, with PEP 592 (yanked), PEP 658/714 (core metadata
// files) and PEP 700 (sizes, versions). Pure parsing; fetching is elsewhere.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uvauth/error.hpp"
#include "uvauth/url.hpp"

namespace uvauth::index {

struct DistributionFile {
  std::string filename;                       // from the URL's last path segment, percent-decoded
  Url url;                                    // absolute, without the hash fragment
  std::map<std::string, std::string> hashes;  // algorithm -> lower-case hex (sha256, sha384, sha512, md5, ...)
  std::optional<std::string> requires_python;
  std::optional<std::string> yanked;          // the reason ("" for none); unset when not yanked
  bool core_metadata = false;                 // a `<url>.metadata` file exists (PEP 658/714)
  std::map<std::string, std::string> core_metadata_hashes;
  std::optional<std::uint64_t> size;          // PEP 700
  std::optional<std::string> upload_time;     // PEP 700

  [[nodiscard]] bool is_wheel() const { return filename.size() > 4 && filename.compare(filename.size() - 4, 4, ".whl") == 0; }
  [[nodiscard]] std::optional<std::string> sha256() const {
    auto it = hashes.find("sha256");
    if (it == hashes.end()) return std::nullopt;
    return it->second;
  }
};

struct ProjectPage {
  std::string name;  // from the JSON form; empty for HTML
  std::vector<DistributionFile> files;
  std::vector<std::string> warnings;  // links skipped, and why
};

// `page_url` resolves relative links (after any <base href>).
Result<ProjectPage> parse_html_page(std::string_view html, const Url& page_url);
// A URL fragment's hash ("sha256=<hex>", percent-encoded or not) into
// `file.hashes`, checked as a page's are (one parser for pages and `name @ url`).
void add_hash_fragment(DistributionFile& file, std::string_view fragment);
Result<ProjectPage> parse_json_page(std::string_view json, const Url& page_url);

// Media types of the simple API, in the order we ask for them.
inline constexpr const char* simple_api_accept =
    "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";

}  // namespace uvauth::index
