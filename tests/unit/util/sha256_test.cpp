#include "uvauth/sha256.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace uvauth {
namespace {

// FIPS 180-2 test vectors.
TEST(Sha256Test, KnownVectors) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
  };
  for (const auto& [input, digest] : cases) EXPECT_EQ(Sha256::hex_of(input), digest);
}

TEST(Sha256Test, IncrementalEqualsOneShot) {
  Sha256 h;
  h.update("ab");
  h.update("c");
  EXPECT_EQ(h.hex_digest(), Sha256::hex_of("abc"));
  h.update("abc");  // starts afresh after a digest
  EXPECT_EQ(h.hex_digest(), Sha256::hex_of("abc"));
}

TEST(Sha256Test, HashesFiles) {
  const auto path = std::filesystem::temp_directory_path() / "uvauth-sha256-test.txt";
  std::ofstream(path) << "abc";
  auto digest = Sha256::hex_of_file(path);
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(*digest, Sha256::hex_of("abc"));
  std::filesystem::remove(path);
  EXPECT_FALSE(Sha256::hex_of_file(path).ok());
}

}  // namespace
}  // namespace uvauth
