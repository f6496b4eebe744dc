#include <gtest/gtest.h>

#include <string>

#include "lazy/lazy_library.hpp"

namespace uvauth {
namespace {

TEST(LazyLibraryTest, AMissingLibraryIsNullWithTheReason) {
  std::string why;
  EXPECT_EQ(lazy::try_open("libuvauth-does-not-exist.so.9", &why), nullptr);
  EXPECT_NE(why.find("libuvauth-does-not-exist.so.9"), std::string::npos) << why;
  // Asked again: the same answer, from the first attempt.
  std::string again;
  EXPECT_EQ(lazy::try_open("libuvauth-does-not-exist.so.9", &again), nullptr);
  EXPECT_EQ(again, why);
}

TEST(LazyLibraryTest, ALoadedLibraryIsOpenedOnce) {
  void* first = lazy::try_open("libc.so.6");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(lazy::try_open("libc.so.6"), first);
  EXPECT_NE(lazy::symbol_or_exit(first, "libc.so.6", "strlen"), nullptr);
}

}  // namespace
}  // namespace uvauth
