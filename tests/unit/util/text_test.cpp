#include <gtest/gtest.h>

#include "uvauth/sha256.hpp"
#include "uvauth/text.hpp"

namespace uvauth {
namespace {

TEST(TextTest, NonPrintablesAreEscaped) {
  EXPECT_EQ(escape_nonprintable("\x1b]0;title\x07\x1b[2J"), "\\x1b]0;title\\x07\\x1b[2J");
  EXPECT_EQ(escape_nonprintable("line one\nline\ttwo"), "line one\nline\ttwo");
  EXPECT_EQ(escape_nonprintable("caf\xc3\xa9 \xe2\x9c\x93"), "caf\xc3\xa9 \xe2\x9c\x93") << "valid UTF-8 stays";
  EXPECT_EQ(escape_nonprintable("\xc2\x9b" "2J"), "\\xc2\\x9b2J") << "C1 controls (CSI) are escaped";
  EXPECT_EQ(escape_nonprintable("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(escape_nonprintable("\x7f\r"), "\\x7f\\x0d");
  EXPECT_EQ(escape_nonprintable("\xe2\x9c"), "\\xe2\\x9c") << "a truncated sequence";
}

TEST(Sha256DigestTest, OnlyWholeHexDigestsAreDigests) {
  EXPECT_EQ(Sha256Digest::parse(std::string(64, 'A'))->hex(), std::string(64, 'a'));
  EXPECT_FALSE(Sha256Digest::parse(std::string(63, 'a')));
  EXPECT_FALSE(Sha256Digest::parse(std::string(65, 'a')));
  EXPECT_FALSE(Sha256Digest::parse("../../../escape/" + std::string(48, 'a')));
  EXPECT_FALSE(Sha256Digest::parse(std::string(63, 'a') + "g"));
  EXPECT_FALSE(Sha256Digest::parse(""));
}

}  // namespace
}  // namespace uvauth
