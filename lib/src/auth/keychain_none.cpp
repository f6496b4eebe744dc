// SystemKeychain in a build without libsecret: every call says so.
#include "uvauth/auth/keychain.hpp"

namespace uvauth::auth {
namespace {
Error unavailable() {
  return Error(ErrorKind::auth, "this uvauth was built without a system keychain backend")
      .with_hint("install libsecret-1-dev and rebuild, or drop `native-auth` from the preview features");
}
}  // namespace

bool SystemKeychain::built_in() { return false; }
std::string_view SystemKeychain::backend() { return "none (built without libsecret)"; }
void SystemKeychain::set_time_limit(std::chrono::milliseconds) {}
Result<std::vector<KeychainItem>> SystemKeychain::find(const std::string&, const std::optional<std::string>&) { return unavailable(); }
Status SystemKeychain::store(const std::string&, const std::string&, const Secret&, const std::string&) { return unavailable(); }
Result<bool> SystemKeychain::remove(const std::string&, const std::string&) { return unavailable(); }
Result<std::vector<KeychainItem>> SystemKeychain::list() { return unavailable(); }

}  // namespace uvauth::auth
