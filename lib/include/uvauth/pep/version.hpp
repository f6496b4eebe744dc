// PEP 440 versions: parsing with normalisation (epochs, pre/post/dev
// releases, local labels, alternative spellings) and the total order.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "uvauth/error.hpp"

namespace uvauth::pep {

class Version {
 public:
  enum class PreKind { alpha = 0, beta = 1, rc = 2 };
  struct Pre {
    PreKind kind;
    std::uint64_t number;
    friend bool operator==(const Pre&, const Pre&) = default;
  };
  using LocalSegment = std::variant<std::uint64_t, std::string>;

  // Errors say what is wrong with the text; callers add where it came from.
  static Result<Version> parse(std::string_view text);
  // For literals known to be valid (tests, defaults); aborts otherwise.
  static Version from(std::string_view text);

  [[nodiscard]] std::uint64_t epoch() const { return epoch_; }
  [[nodiscard]] const std::vector<std::uint64_t>& release() const { return release_; }
  [[nodiscard]] const std::optional<Pre>& pre() const { return pre_; }
  [[nodiscard]] const std::optional<std::uint64_t>& post() const { return post_; }
  [[nodiscard]] const std::optional<std::uint64_t>& dev() const { return dev_; }
  [[nodiscard]] const std::vector<LocalSegment>& local() const { return local_; }

  [[nodiscard]] bool is_prerelease() const { return pre_.has_value() || dev_.has_value(); }
  [[nodiscard]] bool is_postrelease() const { return post_.has_value(); }
  [[nodiscard]] bool is_devrelease() const { return dev_.has_value(); }
  [[nodiscard]] bool has_local() const { return !local_.empty(); }

  [[nodiscard]] std::string to_string() const;     // normalised, e.g. "1!2.0rc1.post2.dev3+abc.5"
  [[nodiscard]] std::string local_string() const;  // "abc.5", empty without local
  [[nodiscard]] Version public_version() const;    // without the local label
  [[nodiscard]] Version base_version() const;      // epoch and release only

  // A copy with the release padded or cut to `length` segments (wildcards).
  [[nodiscard]] Version with_release(std::vector<std::uint64_t> release) const;
  // Copies with the dev or post number set and the local label dropped (bounds).
  [[nodiscard]] Version with_dev(std::uint64_t dev) const;
  [[nodiscard]] Version with_post(std::uint64_t post) const;

  friend std::strong_ordering operator<=>(const Version& a, const Version& b);
  friend bool operator==(const Version& a, const Version& b) { return (a <=> b) == 0; }

 private:
  std::uint64_t epoch_ = 0;
  std::vector<std::uint64_t> release_;
  std::optional<Pre> pre_;
  std::optional<std::uint64_t> post_;
  std::optional<std::uint64_t> dev_;
  std::vector<LocalSegment> local_;
};

}  // namespace uvauth::pep
