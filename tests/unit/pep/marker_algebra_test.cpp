// The marker algebra: tables of simplifications and relations (the shapes
// pypa/packaging's and uv's marker tests use), and a property test: on a grid
// of environments, the algebra's tree, its printed form read back, its
// negation and its conjunctions/disjunctions have the truth values the PEP 508
// evaluator gives the markers they came from.
#include "uvauth/pep/marker_algebra.hpp"

#include <gtest/gtest.h>

#include <random>

namespace uvauth::pep {
namespace {

MarkerTree tree(const std::string& text) {
  auto t = MarkerTree::parse(text);
  EXPECT_TRUE(t.ok()) << text << ": " << t.error().message;
  return t.ok() ? *t : MarkerTree::never();
}

std::string simplified(const std::string& text) { return tree(text).to_string(); }

TEST(MarkerAlgebraTest, SimplifiesToAStableReadableForm) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", ""},
      {"python_version >= '3.9' and python_version < '3.12'", "python_version >= \"3.9\" and python_version < \"3.12\""},
      {"python_version == '3.11'", "python_version >= \"3.11\" and python_version < \"3.12\""},
      {"python_version > '3.11.2'", "python_version >= \"3.12\""},
      {"python_version <= '3.10'", "python_version < \"3.11\""},
      {"'3.9' <= python_version", "python_version >= \"3.9\""},
      {"python_version ~= '3.9'", "python_version >= \"3.9\" and python_version < \"4.0\""},
      {"python_full_version ~= '3.11.2'", "python_full_version >= \"3.11.2\" and python_version < \"3.12\""},
      {"python_full_version != '3.11.1'", "python_full_version != \"3.11.1\""},
      {"python_full_version == '3.11.1'", "python_full_version == \"3.11.1\""},
      {"python_version == '3.*'", "python_version >= \"3.0\" and python_version < \"4.0\""},
      {"sys_platform == 'linux' or sys_platform == 'darwin'", "sys_platform == \"darwin\" or sys_platform == \"linux\""},
      {"sys_platform != 'linux' and sys_platform != 'win32'", "sys_platform != \"linux\" and sys_platform != \"win32\""},
      {"sys_platform == 'linux' or sys_platform != 'linux'", ""},
      {"python_version < '3.9' or python_version >= '3.9'", ""},
      {"sys_platform == 'linux' and sys_platform == 'win32'", "python_version < \"0\""},
      {"python_version < '3.9' and python_version >= '3.10'", "python_version < \"0\""},
      {"sys_platform == 'linux' and python_version >= '3.9' or sys_platform == 'linux' and python_version < '3.9'",
       "sys_platform == \"linux\""},
      {"(sys_platform == 'linux' or sys_platform == 'darwin') and platform_machine == 'x86_64'",
       "platform_machine == \"x86_64\" and (sys_platform == \"darwin\" or sys_platform == \"linux\")"},
      {"extra == 'Test_Extra'", "extra == \"test-extra\""},
      {"extra == 'test' and extra != 'test'", "python_version < \"0\""},
      {"'cuda' in extras", "\"cuda\" in extras"},
      {"'linux' in sys_platform", "\"linux\" in sys_platform"},
      {"sys_platform < 'linux'", "python_version < \"0\""},
      // Found by fuzz.marker_algebra: nothing is below 0.dev0.
      {"python_full_version != '0.*'", "python_version >= \"1.0\""},
      {"python_version < '0'", "python_version < \"0\""},
  };
  for (const auto& [input, expected] : cases) EXPECT_EQ(simplified(input), expected) << input;
}

TEST(MarkerAlgebraTest, RelationsBetweenMarkers) {
  EXPECT_TRUE(tree("sys_platform == 'linux'").disjoint(tree("sys_platform == 'darwin'")));
  EXPECT_TRUE(tree("python_version < '3.10'").disjoint(tree("python_version >= '3.10'")));
  EXPECT_FALSE(tree("python_version < '3.11'").disjoint(tree("python_version >= '3.10'")));
  EXPECT_TRUE(tree("python_version >= '3.11'").implies(tree("python_version >= '3.9'")));
  EXPECT_FALSE(tree("python_version >= '3.9'").implies(tree("python_version >= '3.11'")));
  EXPECT_TRUE(tree("sys_platform == 'linux' and platform_machine == 'aarch64'").implies(tree("sys_platform == 'linux'")));
  EXPECT_TRUE(tree("sys_platform == 'linux' or sys_platform != 'linux'").is_true());
  EXPECT_FALSE(tree("sys_platform == 'linux'").is_true());
  EXPECT_TRUE(tree("'linux' in sys_platform or 'linux' not in sys_platform").is_true());
  // Independent variables are never claimed disjoint (only sometimes missed).
  EXPECT_FALSE(tree("sys_platform == 'linux'").disjoint(tree("platform_machine == 'x86_64'")));
  EXPECT_FALSE(tree("sys_platform == 'freebsd13'").disjoint(tree("platform_system == 'FreeBSD'")));
  // `python_version in "..."` is a list of versions, as uv reads it (pickleshare's pathlib2).
  auto modern = MarkerTree::requires_python(">=3.11");
  ASSERT_TRUE(modern.ok());
  EXPECT_TRUE(tree("python_version in '2.6 2.7 3.2 3.3'").disjoint(*modern));
  EXPECT_TRUE(modern->implies(tree("python_version not in '2.6 2.7 3.2 3.3'")));
  EXPECT_FALSE(tree("python_version in '3.11 3.12'").disjoint(*modern));
  MarkerEnvironment env{{"python_version", "3.3"}, {"python_full_version", "3.3.1"}};
  EXPECT_TRUE(*tree("python_version in '2.6 2.7 3.2 3.3'").evaluate(env, {}));
  EXPECT_TRUE(*Marker::parse("python_version in '2.6 2.7 3.2 3.3'")->evaluate(env, {}));
  env["python_version"] = "3.1";
  EXPECT_FALSE(*Marker::parse("python_version in '3.11 3.12'")->evaluate(env, {}));  // versions, not substrings
  // platform_system values naming one sys_platform are that sys_platform, as in uv.
  EXPECT_TRUE(tree("sys_platform == 'linux'").disjoint(tree("platform_system == 'Windows'")));
  EXPECT_TRUE(tree("platform_system != 'Darwin'").implies(tree("sys_platform != 'darwin'")));
  EXPECT_EQ(tree("platform_system == 'Windows'").to_string(), "sys_platform == \"win32\"");
  // A comparison of strings has no complement: relations that need one are not claimed.
  EXPECT_FALSE(tree("os_name < 'x' or os_name >= 'x'").is_true());
  // Nor == and != of a version variable and a non-version (both are false);
  // found by fuzz.marker_algebra.
  EXPECT_FALSE(tree("'2.7.9[' == python_full_version or '2.7.9[' != python_full_version").is_true());
  EXPECT_FALSE(tree("'2.7.9[' != python_full_version").negate().ok());
}

TEST(MarkerAlgebraTest, UnderRequiresPython) {
  auto space = MarkerTree::requires_python(">=3.9, <4");
  ASSERT_TRUE(space.ok()) << space.error().message;
  EXPECT_EQ(space->to_string(), "python_full_version >= \"3.9\" and python_full_version < \"4\"");
  EXPECT_TRUE(tree("python_version >= '3.8'").always_within(*space));
  EXPECT_TRUE(tree("python_version < '3.9'").never_within(*space));
  EXPECT_FALSE(tree("python_version < '3.11'").always_within(*space));
  // A bound the space already gives is dropped when printing within it.
  EXPECT_EQ(tree("python_version >= '3.9' and python_version < '3.12' and sys_platform == 'linux'").simplified_within(*space).to_string(),
            "python_version < \"3.12\" and sys_platform == \"linux\"");
  EXPECT_FALSE(tree("python_version < '3.11'").never_within(*space));
  EXPECT_FALSE(MarkerTree::requires_python(">=three").ok());
}

TEST(MarkerAlgebraTest, HostileInputIsBounded) {
  // 2^12 alternatives after distribution (twelve independent booleans):
  // refused as too complex, quickly.
  std::string text;
  for (int i = 0; i < 12; ++i) {
    text += (i ? " and " : "") + std::string("(extra == 'a") + std::to_string(i) + "' or 'b" + std::to_string(i) + "' in extras)";
  }
  auto t = MarkerTree::parse(text);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("too complex"), std::string::npos);
}

// ---- property test ----

struct Random {
  std::mt19937 rng{20261202};
  std::size_t below(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); }
  template <class T>
  const T& pick(const std::vector<T>& v) { return v[below(v.size())]; }
};

std::string random_atom(Random& r) {
  static const std::vector<std::string> ops = {"==", "!=", "<", "<=", ">", ">="};
  static const std::vector<std::string> minors = {"3", "3.8", "3.9", "3.10", "3.11", "3.11.2", "3.12", "4", "3.11.*", "3.*"};
  static const std::vector<std::string> fulls = {"3.8.5", "3.9.0", "3.10.2", "3.11.0", "3.11.5", "3.12", "3.11.*", "3.13.0"};
  static const std::vector<std::string> platforms = {"linux", "darwin", "win32"};
  static const std::vector<std::string> machines = {"x86_64", "aarch64"};
  switch (r.below(9)) {
    case 0:
    case 1: {
      std::string v = r.pick(minors);
      std::string op = v.find('*') != std::string::npos ? (r.below(2) ? "==" : "!=") : r.pick(ops);
      if (v.find('*') == std::string::npos && v.find('.') != std::string::npos && r.below(6) == 0) op = "~=";
      return r.below(5) == 0 && v.find('*') == std::string::npos && op != "~=" ? "'" + v + "' " + op + " python_version"
                                                                 : "python_version " + op + " '" + v + "'";
    }
    case 2: {
      std::string v = r.pick(fulls);
      std::string op = v.find('*') != std::string::npos ? (r.below(2) ? "==" : "!=") : r.pick(ops);
      return "python_full_version " + op + " '" + v + "'";
    }
    case 3:
    case 4: return std::string("sys_platform ") + (r.below(2) ? "==" : "!=") + " '" + r.pick(platforms) + "'";
    case 5: return std::string("platform_machine ") + (r.below(2) ? "==" : "!=") + " '" + r.pick(machines) + "'";
    case 6: return std::string("os_name ") + (r.below(2) ? "==" : "!=") + " 'posix'";
    case 7: return std::string("extra ") + (r.below(2) ? "==" : "!=") + " '" + (r.below(2) ? "test" : "doc") + "'";
    default: return std::string("'lin' ") + (r.below(2) ? "in" : "not in") + " sys_platform";
  }
}

std::string random_marker(Random& r, int depth) {
  const std::size_t parts = 1 + r.below(3);
  std::string out;
  for (std::size_t i = 0; i < parts; ++i) {
    if (i) out += r.below(2) ? " and " : " or ";
    out += depth > 0 && r.below(3) == 0 ? "(" + random_marker(r, depth - 1) + ")" : random_atom(r);
  }
  return out;
}

std::vector<std::pair<MarkerEnvironment, MarkerContext>> grid() {
  std::vector<std::pair<MarkerEnvironment, MarkerContext>> out;
  for (const char* full : {"3.7.0", "3.8.5", "3.9.0", "3.10.2", "3.11.0", "3.11.2", "3.11.5", "3.12.1", "3.13.0", "4.0.0"}) {
    std::string minor = full;
    minor = minor.substr(0, minor.find('.', minor.find('.') + 1));
    for (const char* platform : {"linux", "darwin", "win32"}) {
      for (const char* machine : {"x86_64", "aarch64"}) {
        for (const char* os : {"posix", "nt"}) {
          for (const char* extra : {"", "test"}) {
            MarkerEnvironment env{{"python_full_version", full}, {"python_version", minor}, {"sys_platform", platform},
                                  {"platform_machine", machine}, {"os_name", os}, {"implementation_name", "cpython"}};
            MarkerContext context;
            context.extra = extra;
            out.emplace_back(std::move(env), std::move(context));
          }
        }
      }
    }
  }
  return out;
}

TEST(MarkerAlgebraTest, SimplificationNeverChangesTheTruthValueOnAGrid) {
  Random r;
  const auto environments = grid();
  int checked = 0;
  for (int n = 0; n < 300; ++n) {
    const std::string a_text = random_marker(r, 2);
    const std::string b_text = random_marker(r, 2);
    auto a_marker = Marker::parse(a_text);
    auto b_marker = Marker::parse(b_text);
    ASSERT_TRUE(a_marker.ok() && b_marker.ok()) << a_text << " / " << b_text;
    auto a = MarkerTree::from(*a_marker);
    auto b = MarkerTree::from(*b_marker);
    ASSERT_TRUE(a.ok() && b.ok()) << a_text << " / " << b_text;
    auto printed = MarkerTree::parse(a->to_string());
    ASSERT_TRUE(printed.ok()) << a->to_string();
    auto both = a->conjoin(*b);
    auto either = a->disjoin(*b);
    auto negated = a->negate();  // fails only for atoms without complement: none here
    ASSERT_TRUE(both.ok()) << a_text << " AND " << b_text << ": " << both.error().message;
    ASSERT_TRUE(either.ok()) << either.error().message;
    ASSERT_TRUE(negated.ok()) << a_text << ": " << negated.error().message;
    for (const auto& [env, context] : environments) {
      const bool expected_a = *a_marker->evaluate(env, context);
      const bool expected_b = *b_marker->evaluate(env, context);
      ASSERT_EQ(*a->evaluate(env, context), expected_a) << a_text << " -> " << a->to_string() << " at " << env.at("python_full_version")
                                                        << " " << env.at("sys_platform") << " extra=" << context.extra;
      ASSERT_EQ(*printed->evaluate(env, context), expected_a) << a_text << " printed " << a->to_string();
      ASSERT_EQ(*negated->evaluate(env, context), !expected_a) << "not (" << a_text << ") -> " << negated->to_string();
      ASSERT_EQ(*both->evaluate(env, context), expected_a && expected_b) << a_text << " AND " << b_text;
      ASSERT_EQ(*either->evaluate(env, context), expected_a || expected_b) << a_text << " OR " << b_text;
      ++checked;
    }
    // Relations agree with the grid where the grid can refute them.
    bool overlap = false;
    for (const auto& [env, context] : environments) overlap = overlap || (*a_marker->evaluate(env, context) && *b_marker->evaluate(env, context));
    if (overlap) {
      EXPECT_FALSE(a->disjoint(*b)) << a_text << " / " << b_text;
    }
    EXPECT_EQ(a->to_string(), printed->to_string()) << "printing is a fixed point: " << a_text;
  }
  EXPECT_EQ(checked, 300 * static_cast<int>(environments.size()));
}

}  // namespace
}  // namespace uvauth::pep
