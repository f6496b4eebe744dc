# The UvAuth CMake package, two ways from one template
# (cmake-modules/UvAuthConfig.cmake.in):
#  - installed: <prefix>/lib/cmake/UvAuth/{UvAuthConfig,UvAuthConfigVersion,UvAuth,FindUvAuth}.cmake
#    next to <prefix>/bin/uvauth;
#  - build tree: <build>/UvAuthConfig.cmake naming <build>/bin/uvauth and the
#    module in the source tree, so `UvAuth_DIR=<build>` works without installing.
include(CMakePackageConfigHelpers)

set(_uvauth_package_dir "${CMAKE_INSTALL_LIBDIR}/cmake/UvAuth")
set(_uvauth_modules "${PROJECT_SOURCE_DIR}/cmake-modules")

# Before 1.0 a minor version may break the interface: 0.1 accepts 0.1.x only.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/UvAuthConfigVersion.cmake"
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)

# Installed.
set(UVAUTH_CONFIG_EXECUTABLE "${CMAKE_INSTALL_BINDIR}/uvauth")
set(UVAUTH_CONFIG_MODULE_DIR "${_uvauth_package_dir}")
configure_package_config_file("${_uvauth_modules}/UvAuthConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/install-config/UvAuthConfig.cmake"
  INSTALL_DESTINATION "${_uvauth_package_dir}"
  PATH_VARS UVAUTH_CONFIG_EXECUTABLE UVAUTH_CONFIG_MODULE_DIR)
install(FILES
  "${PROJECT_BINARY_DIR}/install-config/UvAuthConfig.cmake"
  "${PROJECT_BINARY_DIR}/UvAuthConfigVersion.cmake"
  "${_uvauth_modules}/UvAuth.cmake"
  "${_uvauth_modules}/FindUvAuth.cmake"
  DESTINATION "${_uvauth_package_dir}")

# Build tree.
set(UVAUTH_CONFIG_EXECUTABLE "${PROJECT_BINARY_DIR}/bin/uvauth")
set(UVAUTH_CONFIG_MODULE_DIR "${_uvauth_modules}")
configure_package_config_file("${_uvauth_modules}/UvAuthConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/UvAuthConfig.cmake"
  INSTALL_DESTINATION "${PROJECT_BINARY_DIR}"
  INSTALL_PREFIX "${PROJECT_BINARY_DIR}"
  PATH_VARS UVAUTH_CONFIG_EXECUTABLE UVAUTH_CONFIG_MODULE_DIR)
