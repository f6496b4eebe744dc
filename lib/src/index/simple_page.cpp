#include "uvauth/index/simple_page.hpp"

#include <cctype>
#include <nlohmann/json.hpp>

#include "uvauth/sha256.hpp"
#include "uvauth/text.hpp"

namespace uvauth::index {
namespace {

// ---- HTML: a tolerant reader for the little PEP 503 needs ----------------

// Decodes &amp; &lt; &gt; &quot; &apos; &#NN; &#xHH; (others are kept as written).
std::string decode_entities(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    // HTML also accepts the oldest entities without their ';' ("&lt 1").
    bool legacy = false;
    for (std::string_view bare : {"lt", "gt", "amp", "quot"}) {
      if (text.substr(i + 1, bare.size()) == bare && text.substr(i + 1 + bare.size(), 1) != ";") {
        out += bare == "lt" ? '<' : bare == "gt" ? '>' : bare == "amp" ? '&' : '"';
        i += bare.size();
        legacy = true;
        break;
      }
    }
    if (legacy) continue;
    const std::size_t window = text.substr(i, 12).find(';');  // bounded: linear in the text
    const std::size_t semi = window == std::string_view::npos ? window : i + window;
    if (semi == std::string_view::npos || semi - i > 10) {
      out += '&';
      continue;
    }
    const std::string_view name = text.substr(i + 1, semi - i - 1);
    if (name == "amp") {
      out += '&';
    } else if (name == "lt") {
      out += '<';
    } else if (name == "gt") {
      out += '>';
    } else if (name == "quot") {
      out += '"';
    } else if (name == "apos") {
      out += '\'';
    } else if (name.size() > 1 && name[0] == '#') {
      const bool hex = name[1] == 'x' || name[1] == 'X';
      const std::string_view digits = name.substr(hex ? 2 : 1);
      unsigned long code = 0;
      bool ok = !digits.empty();
      for (char c : digits) {
        const int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                      : hex && std::isxdigit(static_cast<unsigned char>(c))
                          ? std::tolower(static_cast<unsigned char>(c)) - 'a' + 10
                          : -1;
        if (d < 0 || code > 0x10FFFF) {
          ok = false;
          break;
        }
        code = code * (hex ? 16 : 10) + static_cast<unsigned long>(d);
      }
      if (!ok) {
        out += '&';
        continue;
      }
      append_utf8(out, code);
    } else {
      out += '&';
      continue;
    }
    i = semi;
  }
  return out;
}

struct Tag {
  std::string name;  // lower case; "/a" for a closing tag
  std::map<std::string, std::string> attributes;
  std::size_t end = 0;  // position after '>'
};

// Reads the tag starting at `s[start] == '<'`. nullopt: not a tag (the
// reader moves on by one character); a Tag with `end == 0`: the tag runs to
// the end of the input, so no later tag can close either (reading stops there,
// which keeps the parse linear in the page size).
std::optional<Tag> read_tag(std::string_view s, std::size_t start) {
  std::size_t i = start + 1;
  Tag tag;
  const std::size_t name_begin = i;
  while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '/' || s[i] == '!')) ++i;
  tag.name = to_lower_ascii(s.substr(name_begin, i - name_begin));
  if (tag.name.empty()) return std::nullopt;
  const Tag unterminated{};
  for (;;) {
    while (i < s.size() && (std::isspace(static_cast<unsigned char>(s[i])) || s[i] == '/')) ++i;
    if (i >= s.size()) return unterminated;
    if (s[i] == '>') {
      tag.end = i + 1;
      return tag;
    }
    const std::size_t key_begin = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i])) && s[i] != '=' && s[i] != '>' && s[i] != '/') ++i;
    const std::string key = to_lower_ascii(s.substr(key_begin, i - key_begin));
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    std::string value;
    bool has_value = false;
    if (i < s.size() && s[i] == '=') {
      ++i;
      has_value = true;
      while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
      if (i < s.size() && (s[i] == '"' || s[i] == '\'')) {
        const char quote = s[i++];
        const std::size_t close = s.find(quote, i);
        if (close == std::string_view::npos) return unterminated;
        value = std::string(s.substr(i, close - i));
        i = close + 1;
      } else {
        const std::size_t begin = i;
        while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i])) && s[i] != '>') ++i;
        value = std::string(s.substr(begin, i - begin));
      }
    }
    if (key.empty()) {
      ++i;  // a stray character: skip it
      continue;
    }
    if (!tag.attributes.count(key)) {
      tag.attributes.emplace(key, !has_value ? std::string() : value.find('&') == std::string::npos ? std::move(value) : decode_entities(value));
    }
  }
}

// A hash from a page: hex digits only; a sha256 must be a whole digest (it
// names files in the cache). Anything else is dropped, and the file is then
// hashed by uvauth itself.
void add_hash(std::map<std::string, std::string>& hashes, std::string_view algorithm_text, std::string_view digest_text) {
  const std::string algorithm = to_lower_ascii(algorithm_text);
  const std::string digest = to_lower_ascii(digest_text);
  if (digest.empty() || algorithm.empty()) return;
  for (char c : digest) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return;
  }
  if (algorithm == "sha256" && !Sha256Digest::parse(digest)) return;
  hashes[algorithm] = digest;
}


// "sha256=abc" (a hash) or "true"; anything else means no metadata file.
void read_core_metadata(DistributionFile& file, const std::string& value) {
  if (value == "false") return;
  file.core_metadata = true;
  const auto eq = value.find('=');
  if (eq != std::string::npos) add_hash(file.core_metadata_hashes, std::string_view(value).substr(0, eq), std::string_view(value).substr(eq + 1));
}

// A file name that could step out of a directory is never taken.
bool is_safe_filename(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find_first_of("/\\") == std::string::npos &&
         name.find('\0') == std::string::npos;
}

std::string filename_of(const Url& url) {
  const std::string& path = url.path();
  return percent_decode(path.substr(path.rfind('/') + 1));
}

// The links of one page mostly share their directory ("../../files/"):
// that part is resolved once, through libcurl, and a plain file name (and
// hash fragment) is appended to it. Anything else is resolved whole.
struct JoinedDirectory {
  std::string reference;  // the href up to its last '/'
  Url url;                // that directory, resolved (path ends in '/')
};

bool plain_url_part(std::string_view text) {
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                    c == '~' || c == '+' || c == '!' || c == '=';
    if (!ok) return false;
  }
  return true;
}

Result<DistributionFile> file_from_href(const Url& base, const std::string& raw_href, std::optional<JoinedDirectory>& memo) {
  // Pages in the wild carry unquoted spaces in links; quote them as pip does.
  std::string href;
  if (raw_href.find_first_of(" \n\r\t") == std::string::npos) {
    href = raw_href;
  } else {
    href.reserve(raw_href.size() + 8);
    for (char c : raw_href) {
      if (c == ' ') {
        href += "%20";
      } else if (c != '\n' && c != '\r' && c != '\t') {
        href += c;
      }
    }
  }
  DistributionFile file;
  const auto hash = href.find('#');
  const std::string_view before_fragment = std::string_view(href).substr(0, hash);
  const auto slash = before_fragment.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? before_fragment : before_fragment.substr(slash + 1);
  const std::string_view fragment = hash == std::string::npos ? std::string_view() : std::string_view(href).substr(hash + 1);
  const std::string_view directory = before_fragment.substr(0, before_fragment.size() - name.size());
  const bool plain = !name.empty() && name != "." && name != ".." && plain_url_part(name) && plain_url_part(fragment) &&
                     directory.find_first_of("?#") == std::string_view::npos && directory.find("//") == std::string_view::npos &&
                     directory.find(':') == std::string_view::npos;
  if (plain && !(memo && memo->reference == directory)) {
    memo.reset();
    if (auto joined = base.join(std::string(directory) + "x"); joined && joined->query().empty() && joined->path().size() >= 2 &&
                                                              joined->path().compare(joined->path().size() - 2, 2, "/x") == 0) {
      const std::string path = joined->path();
      memo = JoinedDirectory{std::string(directory), joined->with_path(path.substr(0, path.size() - 1))};
    }
  }
  if (plain && memo) {
    if (!fragment.empty()) add_hash_fragment(file, fragment);
    file.url = memo->url.with_path(memo->url.path() + std::string(name));
  } else {
    auto url = base.join(href);
    if (!url) return std::move(url).error();
    if (!url->fragment().empty()) add_hash_fragment(file, url->fragment());
    file.url = url->with_fragment_removed();
  }
  file.filename = filename_of(file.url);
  if (!is_safe_filename(file.filename)) {
    return Error(ErrorKind::parse, "the link has no usable file name: " + file.url.redacted());
  }
  return file;
}

}  // namespace

void add_hash_fragment(DistributionFile& file, std::string_view fragment) {
  const std::string decoded = percent_decode(fragment);  // "sha256%3D..." too
  const auto eq = decoded.find('=');
  if (eq == std::string::npos || eq == 0) return;
  add_hash(file.hashes, decoded.substr(0, eq), decoded.substr(eq + 1));
}

Result<ProjectPage> parse_html_page(std::string_view html, const Url& page_url) {
  ProjectPage page;
  Url base = page_url;
  std::optional<JoinedDirectory> joined_directory;  // of `base`
  std::size_t i = 0;
  bool base_seen = false;
  while ((i = html.find('<', i)) != std::string_view::npos) {
    if (html.substr(i, 4) == "<!--") {
      const std::size_t close = html.find("-->", i + 4);
      if (close == std::string_view::npos) break;
      i = close + 3;
      continue;
    }
    auto tag = read_tag(html, i);
    if (!tag) {
      ++i;
      continue;
    }
    if (tag->end == 0) break;  // an unterminated tag: nothing after it can be a tag
    i = tag->end;
    if (tag->name == "base" && !base_seen) {
      base_seen = true;
      if (auto href = tag->attributes.find("href"); href != tag->attributes.end()) {
        if (auto joined = page_url.join(href->second)) base = *joined;
        joined_directory.reset();
      }
      continue;
    }
    if (tag->name != "a") continue;
    auto href = tag->attributes.find("href");
    if (href == tag->attributes.end() || href->second.empty()) {
      page.warnings.push_back("skipped a link without href on " + page_url.redacted());
      continue;
    }
    auto file = file_from_href(base, href->second, joined_directory);
    if (!file) {
      page.warnings.push_back("skipped a link on " + page_url.redacted() + ": " + file.error().message);
      continue;
    }
    const auto& a = tag->attributes;
    if (auto it = a.find("data-requires-python"); it != a.end() && !it->second.empty()) file->requires_python = it->second;
    if (auto it = a.find("data-yanked"); it != a.end()) file->yanked = it->second;
    if (auto it = a.find("data-core-metadata"); it != a.end()) {
      read_core_metadata(*file, it->second);
    } else if (auto legacy = a.find("data-dist-info-metadata"); legacy != a.end()) {
      read_core_metadata(*file, legacy->second);
    }
    if (auto it = a.find("data-size"); it != a.end()) {
      try {
        file->size = std::stoull(it->second);
      } catch (...) {
      }
    }
    if (auto it = a.find("data-upload-time"); it != a.end()) file->upload_time = it->second;
    page.files.push_back(std::move(file).value());
  }
  return page;
}

namespace {
Result<ProjectPage> read_json_page(const nlohmann::json& json, const Url& page_url);
}  // namespace

Result<ProjectPage> parse_json_page(std::string_view text, const Url& page_url) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for huge numbers
    return Error(ErrorKind::parse, "invalid JSON from " + page_url.redacted() + ": " + e.what());
  }
  try {
    return read_json_page(json, page_url);
  } catch (const nlohmann::json::exception& e) {  // a value of the wrong type somewhere
    return Error(ErrorKind::parse, "unexpected JSON from " + page_url.redacted() + ": " + e.what());
  }
}

namespace {
Result<ProjectPage> read_json_page(const nlohmann::json& json, const Url& page_url) {
  auto bad = [&](const std::string& why) {
    return Error(ErrorKind::parse, "unexpected JSON from " + page_url.redacted() + ": " + why);
  };
  if (!json.is_object()) return bad("not an object");
  ProjectPage page;
  if (auto meta = json.find("meta"); meta != json.end() && meta->is_object()) {
    const std::string version = meta->value("api-version", "1.0");
    if (version.rfind("1.", 0) != 0) return bad("unsupported api-version " + version);
  }
  if (auto name = json.find("name"); name != json.end() && name->is_string()) page.name = name->get<std::string>();
  auto files = json.find("files");
  if (files == json.end() || !files->is_array()) return bad("no `files` array");
  std::optional<JoinedDirectory> joined_directory;
  for (const auto& entry : *files) {
    if (!entry.is_object() || !entry.contains("url") || !entry["url"].is_string()) {
      page.warnings.push_back("skipped a file entry without url on " + page_url.redacted());
      continue;
    }
    auto file = file_from_href(page_url, entry["url"].get<std::string>(), joined_directory);
    if (!file) {
      page.warnings.push_back("skipped a file on " + page_url.redacted() + ": " + file.error().message);
      continue;
    }
    if (auto name = entry.find("filename"); name != entry.end() && name->is_string()) {
      if (!is_safe_filename(name->get<std::string>())) {
        page.warnings.push_back("skipped a file with an unusable name on " + page_url.redacted());
        continue;
      }
      file->filename = name->get<std::string>();
    }
    if (auto hashes = entry.find("hashes"); hashes != entry.end() && hashes->is_object()) {
      for (const auto& [algorithm, digest] : hashes->items()) {
        if (digest.is_string()) add_hash(file->hashes, algorithm, digest.get<std::string>());
      }
    }
    if (auto rp = entry.find("requires-python"); rp != entry.end() && rp->is_string() && !rp->get<std::string>().empty()) {
      file->requires_python = rp->get<std::string>();
    }
    if (auto yanked = entry.find("yanked"); yanked != entry.end()) {
      if (yanked->is_string()) file->yanked = yanked->get<std::string>();
      if (yanked->is_boolean() && yanked->get<bool>()) file->yanked = "";
    }
    auto metadata = entry.find("core-metadata");
    if (metadata == entry.end()) metadata = entry.find("dist-info-metadata");
    if (metadata != entry.end()) {
      if (metadata->is_boolean()) file->core_metadata = metadata->get<bool>();
      if (metadata->is_object()) {
        file->core_metadata = true;
        for (const auto& [algorithm, digest] : metadata->items()) {
          if (digest.is_string()) add_hash(file->core_metadata_hashes, algorithm, digest.get<std::string>());
        }
      }
    }
    if (auto size = entry.find("size"); size != entry.end() && size->is_number_unsigned()) file->size = size->get<std::uint64_t>();
    if (auto time = entry.find("upload-time"); time != entry.end() && time->is_string()) file->upload_time = time->get<std::string>();
    page.files.push_back(std::move(file).value());
  }
  return page;
}
}  // namespace

}  // namespace uvauth::index
