// Small text helpers with one job each.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace uvauth {

[[nodiscard]] bool is_valid_utf8(std::string_view text);
[[nodiscard]] std::string to_lower_ascii(std::string_view text);
// Text quoted from input, made safe for a terminal or a log: control
// characters (but newline and tab), DEL, C1 controls and bytes that are not
// UTF-8 become `\xNN`; a backslash stays as it is.
[[nodiscard]] std::string escape_nonprintable(std::string_view text);
[[nodiscard]] std::string_view trim(std::string_view text);
// Levenshtein distance (for short words: keys, flags, commands).
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);
// The candidate closest to `word` within `max_edits` edits, for "did you
// mean"; empty when none is that close.
[[nodiscard]] std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates,
                                        std::size_t max_edits = 2);

}  // namespace uvauth

namespace uvauth {
// Appends a code point as UTF-8 (surrogates and out-of-range values become U+FFFD).
void append_utf8(std::string& out, unsigned long code_point);
// %XX sequences decoded; a malformed one is kept as written.
[[nodiscard]] std::string percent_decode(std::string_view text);
// The inverse for a URL part that is stored decoded (a Git revision, a
// #subdirectory=): '%', '#', '@', '&', white space, controls and non-ASCII
// bytes encoded, so that the part reads back the same.
[[nodiscard]] std::string percent_encode_url_part(std::string_view text);
// A file:// URL for an absolute path (unsafe bytes percent-encoded).
[[nodiscard]] std::string file_url(const std::string& absolute_path);
}  // namespace uvauth
