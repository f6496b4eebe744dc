#[=======================================================================[.rst:
FindUvAuth
----------

Module mode for UvAuth: finds an installed ``uvauth`` tool, checks its
version, and makes the functions of the ``UvAuth`` module available. Put the
directory holding this file (``<prefix>/lib/cmake/UvAuth`` once installed)
on ``CMAKE_MODULE_PATH``, then::

  find_package(UvAuth 0.1 MODULE REQUIRED)

Search order: ``UvAuth_ROOT`` (CMake variable or environment), then ``PATH``.

Result variables
^^^^^^^^^^^^^^^^

``UvAuth_FOUND``
  True when a ``uvauth`` of a suitable version was found.
``UvAuth_VERSION``
  Its version (``uvauth --version``).
``UvAuth_EXECUTABLE``
  Its path (cache variable; set it to choose one).

Imported targets
^^^^^^^^^^^^^^^^

``UvAuth::uvauth``
  The tool, as an imported executable.
#]=======================================================================]

find_program(UvAuth_EXECUTABLE NAMES uvauth
  HINTS ${UvAuth_ROOT} ENV UvAuth_ROOT
  PATH_SUFFIXES bin
  DOC "The uvauth tool")
mark_as_advanced(UvAuth_EXECUTABLE)

if(UvAuth_EXECUTABLE)
  # `uvauth --version` once per tool binary, not on every configure.
  file(TIMESTAMP "${UvAuth_EXECUTABLE}" _uvauth_stamp "%s" UTC)
  set(_uvauth_key "${UvAuth_EXECUTABLE}@${_uvauth_stamp}")
  if(NOT _UvAuth_VERSION_KEY STREQUAL _uvauth_key)
    execute_process(COMMAND "${UvAuth_EXECUTABLE}" --version
      OUTPUT_VARIABLE _uvauth_out ERROR_QUIET RESULT_VARIABLE _uvauth_result)
    if(_uvauth_result EQUAL 0 AND _uvauth_out MATCHES "^uvauth ([0-9]+\\.[0-9]+\\.[0-9]+)")
      set(_UvAuth_VERSION "${CMAKE_MATCH_1}" CACHE INTERNAL "")
    else()
      set(_UvAuth_VERSION "" CACHE INTERNAL "")
    endif()
    set(_UvAuth_VERSION_KEY "${_uvauth_key}" CACHE INTERNAL "")
  endif()
  set(UvAuth_VERSION "${_UvAuth_VERSION}")
  unset(_uvauth_stamp)
  unset(_uvauth_key)
  unset(_uvauth_out)
  unset(_uvauth_result)
endif()

# The same rule as the config file's version check: before 1.0 a minor
# version may break the interface, so 0.1 only accepts 0.1.x.
set(_UvAuth_COMPATIBLE TRUE)
set(_uvauth_reason "")
if(UvAuth_VERSION AND UvAuth_FIND_VERSION)
  string(REGEX MATCH "^[0-9]+\\.[0-9]+" _uvauth_have "${UvAuth_VERSION}")
  if(NOT UvAuth_FIND_VERSION_MAJOR EQUAL 0 AND UvAuth_VERSION VERSION_GREATER_EQUAL UvAuth_FIND_VERSION)
    string(REGEX MATCH "^[0-9]+" _uvauth_have "${UvAuth_VERSION}")
    if(NOT _uvauth_have EQUAL UvAuth_FIND_VERSION_MAJOR)
      set(_UvAuth_COMPATIBLE "")
    endif()
  elseif(UvAuth_FIND_VERSION_MAJOR EQUAL 0 AND NOT _uvauth_have VERSION_EQUAL "${UvAuth_FIND_VERSION_MAJOR}.${UvAuth_FIND_VERSION_MINOR}")
    set(_UvAuth_COMPATIBLE "")
  endif()
  if(NOT _UvAuth_COMPATIBLE)
    set(_uvauth_reason "uvauth ${UvAuth_VERSION} at ${UvAuth_EXECUTABLE} is not compatible with the requested ${UvAuth_FIND_VERSION}")
  endif()
  unset(_uvauth_have)
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(UvAuth
  REQUIRED_VARS UvAuth_EXECUTABLE UvAuth_VERSION _UvAuth_COMPATIBLE
  VERSION_VAR UvAuth_VERSION
  REASON_FAILURE_MESSAGE "${_uvauth_reason}")
unset(_uvauth_reason)

if(UvAuth_FOUND)
  if(NOT TARGET UvAuth::uvauth)
    add_executable(UvAuth::uvauth IMPORTED GLOBAL)
    set_target_properties(UvAuth::uvauth PROPERTIES IMPORTED_LOCATION "${UvAuth_EXECUTABLE}")
  endif()
  set_property(GLOBAL PROPERTY UVAUTH_EXECUTABLE "${UvAuth_EXECUTABLE}")
  include("${CMAKE_CURRENT_LIST_DIR}/UvAuth.cmake")
endif()
