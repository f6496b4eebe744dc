#[=======================================================================[.rst:
UvAuth
------

Python packages for a CMake build, resolved and installed **at configure
time** from public or private (authenticated) indexes, with a committed
PEP 751 lock file. The work is done by the ``uvauth`` tool; this module
declares what is wanted and calls it. Credentials never pass through CMake:
the tool finds them itself (netrc, ``UV_INDEX_<NAME>_USERNAME`` /
``UV_INDEX_<NAME>_PASSWORD``, uv's credentials store, keyring).

This module is included by ``find_package(UvAuth)`` (config or module mode)
and when UvAuth is added with ``FetchContent`` or ``add_subdirectory``.

.. command:: uvauth_add_index

  Declares a package index for every requirement set declared after it::

    uvauth_add_index(<name> URL <url>
                     [DEFAULT] [EXPLICIT]
                     [FORMAT simple|flat]
                     [AUTHENTICATE auto|always|never]
                     [CREDENTIAL_HELPER <command>])

  ``<name>``
    The index name: letters, digits, ``.``, ``_``, ``-``. Its credentials can
    come from ``UV_INDEX_<NAME>_USERNAME`` / ``UV_INDEX_<NAME>_PASSWORD``
    (name upper-cased, other characters ``_``).
  ``CREDENTIAL_HELPER``
    A credential helper for the index (Bazel's protocol: ``<command> get``
    reads ``{"uri": ...}``, prints ``{"headers": {...}, "expires": ...}``);
    a relative path is relative to the current source directory. CMake sees
    the command only, never what it prints.
  ``URL``
    The index URL (PEP 503/691 ``.../simple``, or for ``FORMAT flat`` a page
    or directory of links). A username is allowed; **a password is a
    configure error**: it would land in ``CMakeCache.txt`` and logs.
  ``DEFAULT``
    Use this index instead of PyPI, after every other index.
  ``EXPLICIT``
    Serve only packages pinned to this index (``[tool.uv.sources]``).
  ``AUTHENTICATE``
    ``auto`` (default): send credentials when known or asked for (401).
    ``always``: never send a request without credentials; fail early when
    there are none. ``never``: never send any.

.. command:: uvauth_add_requirements

  Resolves, locks and installs a set of Python requirements::

    uvauth_add_requirements(<set>
                            [REQUIREMENTS <req>...]
                            [REQUIREMENTS_FILE <file>...]
                            [EDITABLE <dir>...]
                            [PYPROJECT <pyproject.toml> [GROUPS <group>...]]
                            [PYTHON <exe>]
                            [PYTHON_VERSION <version> [PYTHON_PLATFORM <platform>]]
                            [LOCKFILE <file>]
                            [LOCKED | FROZEN]
                            [TARGET_DIR <dir>]
                            [ENVIRONMENTS <marker>...]
                            [REQUIRED_ENVIRONMENTS <marker>...]
                            [TARGET_ONLY])

  At configure time the set is locked into ``LOCKFILE`` (default
  ``${CMAKE_CURRENT_SOURCE_DIR}/pylock.<set>.toml``; commit it) and installed
  with pip's ``--target`` layout into ``TARGET_DIR`` (default
  ``${CMAKE_CURRENT_BINARY_DIR}/_uvauth/<set>/site``). An existing lock keeps
  its pins while they still satisfy the requirements.

  ``REQUIREMENTS``
    PEP 508 requirements; markers with ``;`` are fine
    (``"pyyaml; sys_platform == 'linux'"``).
  ``REQUIREMENTS_FILE``
    ``requirements.txt`` files (relative to the current source directory).
    They may name indexes (``--index-url``); an index URL declared with
    ``uvauth_add_index`` keeps that declaration's policy.
  ``EDITABLE``
    In-tree Python projects (directories with ``pyproject.toml`` or
    ``setup.py``, relative to the current source directory), installed
    editable (PEP 660): an edited source file is seen without reconfiguring.
    Their backends come from the declared indexes. A project that should be
    installed as a copy is a requirement: ``"name @ ${CMAKE_CURRENT_SOURCE_DIR}/dir"``.
    The projects' ``pyproject.toml``, ``setup.cfg`` and ``setup.py`` are
    configure dependencies.
  ``PYPROJECT``
    Reads ``[project.dependencies]``, the dependency ``GROUPS`` (default
    ``dev`` when it exists), ``[[tool.uv.index]]`` and ``[tool.uv.sources]``.
  ``PYTHON``
    The interpreter the packages are for. Default: ``Python3_EXECUTABLE``,
    found with ``find_package(Python3 COMPONENTS Interpreter)`` if unset.
  ``PYTHON_VERSION`` / ``PYTHON_PLATFORM``
    Install for a cross target instead of ``PYTHON`` (uv's
    ``--python-version`` / ``--python-platform``: ``3.12``,
    ``aarch64-manylinux_2_28``, ``aarch64-apple-darwin``, ...), e.g. to
    bundle the packages of another machine. Nothing of it runs here.
  ``ENVIRONMENTS``
    The lock is universal (one ``pylock.toml`` for every machine of the
    team, as ``uv lock`` makes ``uv.lock``): these markers narrow the
    environments it covers (uv's ``environments``). Default:
    ``UVAUTH_ENVIRONMENTS``, else the settings' ``environments``, else all
    (within the project's ``requires-python``).
  ``REQUIRED_ENVIRONMENTS``
    Fail the lock, naming package and environment, when a locked version has
    no wheel for one of these (uv's ``required-environments``). Default:
    ``UVAUTH_REQUIRED_ENVIRONMENTS``.
  ``TARGET_ONLY``
    Lock for ``PYTHON`` (or the cross target) alone, as before universal
    locks. An existing single-target lock of a set without ``TARGET_ONLY``
    is re-locked universally once, keeping its pins (with ``LOCKED`` or
    ``FROZEN`` that is an error saying how to update it).
  ``LOCKED``
    Fail when the lock is missing or would change, saying what changed.
  ``FROZEN``
    Install the lock as it is: no resolution, no index pages (wheels come
    from the cache when present, so this works offline once cached).

  When it returns, these are set in the caller's scope:

  ``<set>_SITE_DIR``
    The directory to put on ``PYTHONPATH``.
  ``<set>_BIN_DIR``
    Console scripts of the installed packages.
  ``<set>_PACKAGES``
    The installed packages as a list of ``name==version``.
  ``<set>_PYTHON``
    The interpreter the set was installed for.
  ``<set>_STAMP``
    A file that changes when the installed set changes: put it in the
    ``DEPENDS`` of a custom command that runs the set's tools.

  A custom target ``uvauth_<set>`` is made too (it depends on the stamp).

  Requirement files, the pyproject and the lock become configure
  dependencies. Reconfiguring with nothing changed starts no process: the
  answer comes from a fingerprint of the inputs and of the installed tree.

.. command:: uvauth_python_environment

  ::

    uvauth_python_environment(<set> <out-var>)

  Sets ``<out-var>`` to the arguments of ``${CMAKE_COMMAND} -E env`` that
  prepend ``<bin>`` to ``PATH`` and ``<site>`` to ``PYTHONPATH`` when the
  command runs (``--modify PATH=path_list_prepend:<bin>`` ...), and
  ``<out-var>_MODIFICATION`` to the same for a test's
  ``ENVIRONMENT_MODIFICATION`` property.

.. command:: uvauth_add_python_test

  ::

    uvauth_add_python_test(NAME <name> REQUIREMENTS <set>...
                           COMMAND <command> [<arg>...]
                           [WORKING_DIRECTORY <dir>])

  ``add_test()`` with the sets' directories prepended to ``PATH`` and
  ``PYTHONPATH`` when the test runs. Sets that pin one package at different
  versions are a configure error naming both.

Variables
^^^^^^^^^

``UVAUTH_VERBOSE``
  (cache, for the person building) Run the tool with ``-v`` and show its
  output live. Secrets are shown as ``****`` at every verbosity.
``UVAUTH_CACHE_DIR``
  (cache) The uvauth cache; default: ``$UVAUTH_CACHE_DIR``, else
  ``$XDG_CACHE_HOME/uvauth``, else ``~/.cache/uvauth``.
``UVAUTH_OFFLINE``
  (cache) Never touch the network (``--offline``).
``UVAUTH_ENVIRONMENTS`` / ``UVAUTH_REQUIRED_ENVIRONMENTS``
  (cache) The default ``ENVIRONMENTS`` / ``REQUIRED_ENVIRONMENTS`` of every
  set, for a whole project.
``UVAUTH_LOCKED`` / ``UVAUTH_FROZEN``
  (cache) Every set is ``LOCKED`` / ``FROZEN`` (for CI, without editing
  CMakeLists). ``UV_LOCKED=1`` / ``UV_FROZEN=1`` in the environment do the
  same, as they do for uv. A set's own ``LOCKED`` wins over a global
  ``FROZEN``.
#]=======================================================================]

include_guard(GLOBAL)

if(CMAKE_VERSION VERSION_LESS 3.25)
  message(FATAL_ERROR "UvAuth needs CMake 3.25 or newer (`cmake -E env --modify`, string(JSON)); this is ${CMAKE_VERSION}")
endif()

# The functions below are defined under these policies whatever the
# including project sets (as CMake's own modules do); POP at the end.
cmake_policy(PUSH)
cmake_policy(SET CMP0057 NEW)  # if(IN_LIST)
cmake_policy(SET CMP0054 NEW)  # quoted arguments are not dereferenced in if()

set(UVAUTH_VERBOSE OFF CACHE BOOL "Run uvauth with -v and show its output (secrets stay hidden)")
set(UVAUTH_CACHE_DIR "" CACHE PATH "The uvauth cache directory (empty: the tool's default)")
set(UVAUTH_OFFLINE OFF CACHE BOOL "Never let uvauth touch the network")
set(UVAUTH_ENVIRONMENTS "" CACHE STRING "Default ENVIRONMENTS of every uvauth_add_requirements(): markers a universal lock covers")
set(UVAUTH_REQUIRED_ENVIRONMENTS "" CACHE STRING "Default REQUIRED_ENVIRONMENTS of every uvauth_add_requirements(): markers every locked package needs a wheel for")
set(UVAUTH_LOCKED OFF CACHE BOOL "Every uvauth_add_requirements() is LOCKED: fail when a lock would change (CI)")
set(UVAUTH_FROZEN OFF CACHE BOOL "Every uvauth_add_requirements() is FROZEN: install the locks as they are")

# The tool: set by UvAuthConfig.cmake, FindUvAuth.cmake or the bootstrap.
function(_uvauth_executable out)
  get_property(exe GLOBAL PROPERTY UVAUTH_EXECUTABLE)
  if(NOT exe AND TARGET UvAuth::uvauth)
    get_target_property(imported UvAuth::uvauth IMPORTED)
    if(imported)
      get_target_property(exe UvAuth::uvauth IMPORTED_LOCATION)
    endif()
  endif()
  if(NOT exe)
    message(FATAL_ERROR "UvAuth: no uvauth tool is known; use find_package(UvAuth) before the uvauth_* functions")
  endif()
  set(${out} "${exe}" PARENT_SCOPE)
endfunction()

# https://user:secret@host/x -> https://user:****@host/x (for messages).
function(_uvauth_redact_url url out)
  string(REGEX REPLACE "^([A-Za-z][A-Za-z0-9+.-]*://[^/?#@:]*):[^/?#@]*@" "\\1:****@" url "${url}")
  set(${out} "${url}" PARENT_SCOPE)
endfunction()

function(_uvauth_reject_unparsed function_name prefix)
  if(${prefix}_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "${function_name}: unknown arguments: ${${prefix}_UNPARSED_ARGUMENTS}")
  endif()
  if(${prefix}_KEYWORDS_MISSING_VALUES)
    message(FATAL_ERROR "${function_name}: missing a value after: ${${prefix}_KEYWORDS_MISSING_VALUES}")
  endif()
endfunction()

# <var> defaults to the first choice and must be one of them.
function(_uvauth_choice function_name keyword var)
  set(choices ${ARGN})
  if(NOT ${var})
    list(GET choices 0 ${var})
  endif()
  if(NOT ${var} IN_LIST choices)
    string(REPLACE ";" ", " shown "${choices}")
    message(FATAL_ERROR "${function_name}: ${keyword} must be one of ${shown}, got '${${var}}'")
  endif()
  set(${var} "${${var}}" PARENT_SCOPE)
endfunction()

# A TOML basic string.
function(_uvauth_toml_string value out)
  string(REPLACE "\\" "\\\\" value "${value}")
  string(REPLACE "\"" "\\\"" value "${value}")
  set(${out} "\"${value}\"" PARENT_SCOPE)
endfunction()

function(uvauth_add_index name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "DEFAULT;EXPLICIT" "URL;FORMAT;AUTHENTICATE;CREDENTIAL_HELPER" "")
  _uvauth_reject_unparsed("uvauth_add_index(${name})" arg)
  if(NOT name MATCHES "^[A-Za-z0-9][A-Za-z0-9._-]*$")
    message(FATAL_ERROR "uvauth_add_index: invalid index name '${name}' (use letters, digits, '.', '_' and '-')")
  endif()
  if(NOT arg_URL)
    message(FATAL_ERROR "uvauth_add_index(${name}): URL is required")
  endif()
  string(TOUPPER "${name}" env_name)
  string(REGEX REPLACE "[^A-Z0-9]" "_" env_name "${env_name}")
  if(arg_URL MATCHES "^[A-Za-z][A-Za-z0-9+.-]*://[^/?#@]*:[^/?#@]*@")
    _uvauth_redact_url("${arg_URL}" shown)
    message(FATAL_ERROR
      "uvauth_add_index(${name}): the URL ${shown} holds a password.\n"
      "Credentials never pass through CMake (they would end up in CMakeCache.txt and logs). "
      "Remove it from the URL and give it to uvauth instead, one of:\n"
      "  - netrc: a line `machine <host> login <user> password <secret>` in ~/.netrc or $NETRC\n"
      "  - the environment: UV_INDEX_${env_name}_USERNAME and UV_INDEX_${env_name}_PASSWORD\n"
      "  - the credentials store: uvauth auth login <index-url> --username <user>")
  endif()
  if(NOT arg_URL MATCHES "^(https?|file)://")
    message(FATAL_ERROR "uvauth_add_index(${name}): URL must start with https://, http:// or file://, got '${arg_URL}'")
  endif()
  _uvauth_choice("uvauth_add_index(${name})" FORMAT arg_FORMAT simple flat)
  _uvauth_choice("uvauth_add_index(${name})" AUTHENTICATE arg_AUTHENTICATE auto always never)
  if(arg_DEFAULT AND arg_EXPLICIT)
    message(FATAL_ERROR "uvauth_add_index(${name}): an index cannot be both DEFAULT and EXPLICIT")
  endif()

  # Stored as the normalized arguments; rendered as TOML only when a set
  # writes its settings file (_uvauth_index_toml).
  if(arg_CREDENTIAL_HELPER)
    # A command (path or name on PATH): CMake sees the helper, never what it prints.
    string(REGEX MATCH "^[^ ]+" program "${arg_CREDENTIAL_HELPER}")
    if(program MATCHES "/" AND NOT IS_ABSOLUTE "${program}")
      string(LENGTH "${program}" length)
      string(SUBSTRING "${arg_CREDENTIAL_HELPER}" ${length} -1 rest)
      get_filename_component(program "${program}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
      set(arg_CREDENTIAL_HELPER "${program}${rest}")
    endif()
  endif()
  set(declaration "URL" "${arg_URL}" "FORMAT" "${arg_FORMAT}" "AUTHENTICATE" "${arg_AUTHENTICATE}"
                  "DEFAULT" "${arg_DEFAULT}" "EXPLICIT" "${arg_EXPLICIT}" "CREDENTIAL_HELPER" "${arg_CREDENTIAL_HELPER}")
  get_property(known GLOBAL PROPERTY _UVAUTH_INDEX_NAMES)
  if(name IN_LIST known)
    get_property(previous GLOBAL PROPERTY "_UVAUTH_INDEX_${name}")
    if(NOT previous STREQUAL declaration)
      message(FATAL_ERROR "uvauth_add_index(${name}): an index of that name is already declared differently")
    endif()
    return()
  endif()
  if(arg_DEFAULT)
    foreach(other IN LISTS known)
      get_property(other_declaration GLOBAL PROPERTY "_UVAUTH_INDEX_${other}")
      cmake_parse_arguments(other "" "URL;FORMAT;AUTHENTICATE;DEFAULT;EXPLICIT;CREDENTIAL_HELPER" "" ${other_declaration})
      if(other_DEFAULT)
        message(FATAL_ERROR "uvauth_add_index(${name}): '${other}' is already the DEFAULT index")
      endif()
    endforeach()
  endif()
  set_property(GLOBAL APPEND PROPERTY _UVAUTH_INDEX_NAMES "${name}")
  set_property(GLOBAL PROPERTY "_UVAUTH_INDEX_${name}" "${declaration}")
endfunction()

# The [[index]] table of a declared index.
function(_uvauth_index_toml name out)
  get_property(declaration GLOBAL PROPERTY "_UVAUTH_INDEX_${name}")
  cmake_parse_arguments(index "" "URL;FORMAT;AUTHENTICATE;DEFAULT;EXPLICIT;CREDENTIAL_HELPER" "" ${declaration})
  _uvauth_toml_string("${name}" toml_name)
  _uvauth_toml_string("${index_URL}" toml_url)
  set(entry "[[index]]\nname = ${toml_name}\nurl = ${toml_url}\nformat = \"${index_FORMAT}\"\nauthenticate = \"${index_AUTHENTICATE}\"\n")
  if(index_DEFAULT)
    string(APPEND entry "default = true\n")
  endif()
  if(index_EXPLICIT)
    string(APPEND entry "explicit = true\n")
  endif()
  if(index_CREDENTIAL_HELPER)
    _uvauth_toml_string("${index_CREDENTIAL_HELPER}" toml_helper)
    string(APPEND entry "credential-helper = ${toml_helper}\n")
  endif()
  set(${out} "${entry}" PARENT_SCOPE)
endfunction()

# Runs the tool; on failure, a configure error with its (already redacted)
# message and CMake's advice.
function(_uvauth_run fn set_name what locked_by json_out)
  _uvauth_executable(exe)
  set(global_flags --json)
  if(UVAUTH_VERBOSE)
    list(APPEND global_flags -v)
    set(echo ECHO_ERROR_VARIABLE)
  else()
    set(echo "")
  endif()
  if(UVAUTH_CACHE_DIR)
    list(APPEND global_flags --cache-dir "${UVAUTH_CACHE_DIR}")
  endif()
  if(UVAUTH_OFFLINE)
    list(APPEND global_flags --offline)
  endif()
  execute_process(
    COMMAND "${exe}" ${global_flags} ${ARGN}
    RESULT_VARIABLE result
    OUTPUT_VARIABLE output
    ERROR_VARIABLE errors
    ${echo})
  if(NOT result EQUAL 0)
    string(STRIP "${errors}" errors)
    _uvauth_advice("${fn}" "${set_name}" "${what}" "${errors}" "${locked_by}" text)
    message(FATAL_ERROR "${text}\n(uvauth exit code ${result})")
  endif()
  set(${json_out} "${output}" PARENT_SCOPE)
endfunction()

# Rewriting an unchanged file would only change its timestamp.
function(_uvauth_write_if_changed path text)
  set(old "")
  if(EXISTS "${path}")
    file(READ "${path}" old)
  endif()
  if(NOT old STREQUAL text)
    file(WRITE "${path}" "${text}")
  endif()
endfunction()

# Everything that decides the outcome, hashed: when it is unchanged, the
# previous outcome is still true and no process needs to run.
function(_uvauth_fingerprint out)
  cmake_parse_arguments(PARSE_ARGV 1 fp "" "CONFIG;LOCKFILE;STAMP;PYTHON;EXE" "FILES;OPTIONS")
  set(text "uvauth-fingerprint-1\n")
  foreach(file IN LISTS fp_CONFIG fp_FILES fp_LOCKFILE)
    if(EXISTS "${file}")
      file(SHA256 "${file}" digest)
    else()
      set(digest missing)
    endif()
    string(APPEND text "file ${file} ${digest}\n")
  endforeach()
  # The stamp the tool reported last time (it changes with the installed set).
  if(fp_STAMP AND EXISTS "${fp_STAMP}")
    file(SHA256 "${fp_STAMP}" digest)
  else()
    set(digest missing)
  endif()
  string(APPEND text "stamp ${fp_STAMP} ${digest}\n")
  foreach(program IN ITEMS "${fp_PYTHON}" "${fp_EXE}")
    file(TIMESTAMP "${program}" stamp "%s" UTC)
    string(APPEND text "program ${program} ${stamp}\n")
  endforeach()
  string(APPEND text "options ${fp_OPTIONS}\n")
  string(SHA256 digest "${text}")
  set(${out} "${digest}" PARENT_SCOPE)
endfunction()

# The interpreter of a set: PYTHON, else Python3_EXECUTABLE, else FindPython3.
function(_uvauth_choose_python fn requested out)
  if(requested)
    set(python "${requested}")
  elseif(Python3_EXECUTABLE)
    set(python "${Python3_EXECUTABLE}")
  elseif(_UVAUTH_PYTHON3)
    set(python "${_UVAUTH_PYTHON3}")  # found on an earlier configure: FindPython runs the interpreter each time
  else()
    find_package(Python3 COMPONENTS Interpreter)
    if(NOT Python3_EXECUTABLE)
      message(FATAL_ERROR "${fn}: no Python interpreter; install python3 or pass PYTHON <exe>")
    endif()
    set(python "${Python3_EXECUTABLE}")
    set(_UVAUTH_PYTHON3 "${Python3_EXECUTABLE}" CACHE INTERNAL "The interpreter FindPython3 found for UvAuth")
  endif()
  if(NOT EXISTS "${python}")
    message(FATAL_ERROR "${fn}: PYTHON '${python}' does not exist")
  endif()
  set(${out} "${python}" PARENT_SCOPE)
endfunction()

# REQUIREMENTS as requirements.txt lines, one per requirement. A CMake list
# splits a requirement at its marker's `;` (set(REQS "six" "colorama;
# sys_platform == 'win32'") then REQUIREMENTS ${REQS} or "${REQS}"): a piece
# that is only a marker is put back on the requirement before it.
function(_uvauth_requirement_lines fn out)
  set(pieces "")
  foreach(argument IN LISTS ARGN)
    list(APPEND pieces ${argument})  # "a;b" given quoted is two pieces too
  endforeach()
  set(marker_start "^[ \t]*(\\(|'|\"|(python_version|python_full_version|os_name|sys_platform|platform_release|platform_system|platform_version|platform_machine|platform_python_implementation|implementation_name|implementation_version|extra|extras|dependency_groups)[ \t]*(==|!=|<|>|~=|===|in[ \t]|not[ \t]))")
  set(text "")
  set(current "")
  set(current_has_marker FALSE)
  foreach(piece IN LISTS pieces)
    string(STRIP "${piece}" stripped)
    if(stripped STREQUAL "")
      continue()
    endif()
    if(piece MATCHES "${marker_start}")
      if(current STREQUAL "")
        message(FATAL_ERROR "${fn}: REQUIREMENTS starts with the marker '${stripped}', which belongs after a requirement "
          "(write \"name; ${stripped}\" as one quoted argument)")
      endif()
      if(current_has_marker)
        message(FATAL_ERROR "${fn}: REQUIREMENTS has a requirement with two markers after '${current}': '${stripped}'")
      endif()
      string(APPEND current " ; ${stripped}")
      set(current_has_marker TRUE)
      continue()
    endif()
    if(stripped MATCHES "^-" OR stripped MATCHES "\n")
      message(FATAL_ERROR "${fn}: REQUIREMENTS takes PEP 508 requirements, one per argument; '${stripped}' is not one (options belong in a REQUIREMENTS_FILE)")
    endif()
    if(stripped MATCHES "://[^/?#@ ]*:[^/?#@ ]*@")
      string(REGEX REPLACE "^(.*://[^/?#@: ]*):[^/?#@ ]*@" "\\1:****@" shown "${stripped}")
      message(FATAL_ERROR "${fn}: the requirement '${shown}' holds a password in its URL. "
        "Credentials never pass through CMake; give them to uvauth through netrc, "
        "UV_INDEX_<NAME>_USERNAME / _PASSWORD or `uvauth auth login <url>`.")
    endif()
    if(NOT current STREQUAL "")
      string(APPEND text "${current}\n")
    endif()
    set(current "${stripped}")
    set(current_has_marker FALSE)
  endforeach()
  if(NOT current STREQUAL "")
    string(APPEND text "${current}\n")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# "1 package", "2 packages".
function(_uvauth_plural count noun out)
  if(count EQUAL 1)
    set(${out} "1 ${noun}" PARENT_SCOPE)
  else()
    set(${out} "${count} ${noun}s" PARENT_SCOPE)
  endif()
endfunction()

# Whether an environment variable holds one of uv's true words.
function(_uvauth_env_flag name out)
  set(value "$ENV{${name}}")
  string(TOLOWER "${value}" value)
  if(value MATCHES "^(1|true|yes|on|y|t)$")
    set(${out} TRUE PARENT_SCOPE)
  else()
    set(${out} FALSE PARENT_SCOPE)
  endif()
endfunction()

# The `name==version` of each {name, version} in the array `field` of the tool's --json.
function(_uvauth_json_pins json field out)
  set(pins "")
  string(JSON count LENGTH "${json}" ${field})
  if(count GREATER 0)
    math(EXPR last "${count} - 1")
    foreach(i RANGE ${last})
      string(JSON name GET "${json}" ${field} ${i} name)
      string(JSON version GET "${json}" ${field} ${i} version)
      list(APPEND pins "${name}==${version}")
    endforeach()
  endif()
  set(${out} "${pins}" PARENT_SCOPE)
endfunction()

# "Added six v1.17.0" / " + six==1.17.0" lines of the tool's --json, as STATUS.
function(_uvauth_report_changes set_name json kind)
  if(kind STREQUAL "lock")
    string(JSON count LENGTH "${json}" changes)
    if(count GREATER 0)
      math(EXPR last "${count} - 1")
      foreach(i RANGE ${last})
        string(JSON change_kind GET "${json}" changes ${i} kind)
        string(JSON name GET "${json}" changes ${i} name)
        string(JSON from GET "${json}" changes ${i} from)
        string(JSON to GET "${json}" changes ${i} to)
        if(change_kind STREQUAL "added")
          message(STATUS "UvAuth: ${set_name}: Added ${name} v${to}")
        elseif(change_kind STREQUAL "removed")
          message(STATUS "UvAuth: ${set_name}: Removed ${name} v${from}")
        elseif(change_kind STREQUAL "downgraded")
          message(STATUS "UvAuth: ${set_name}: Downgraded ${name} v${from} -> v${to}")
        else()
          message(STATUS "UvAuth: ${set_name}: Updated ${name} v${from} -> v${to}")
        endif()
      endforeach()
    endif()
    return()
  endif()
  set(fields removed_packages added)
  set(signs - +)
  foreach(field sign IN ZIP_LISTS fields signs)
    _uvauth_json_pins("${json}" ${field} pins)
    foreach(pin IN LISTS pins)
      message(STATUS "UvAuth: ${set_name}:  ${sign} ${pin}")
    endforeach()
  endforeach()
endfunction()

# The tool's error, with CMake's words for what to do about it.
function(_uvauth_advice fn set_name what errors locked out)
  # The tool's hints speak of its flags; in CMake the cache variables and
  # keywords are the levers.
  string(REGEX REPLACE "\nhint: run `uvauth lock` without --locked and commit the lock" "" errors "${errors}")
  string(REGEX REPLACE "\nhint: run once without --offline to fill the cache" "" errors "${errors}")
  string(REGEX REPLACE "\nhint: run `uvauth lock --(no-)?universal` without --locked once[^\n]*" "" errors "${errors}")
  # A message about the generated requirements file speaks of REQUIREMENTS.
  string(REPLACE "${CMAKE_CURRENT_BINARY_DIR}/_uvauth/${set_name}/requirements.txt:" "REQUIREMENTS of ${fn}, item " errors "${errors}")
  string(REPLACE "${CMAKE_CURRENT_BINARY_DIR}/_uvauth/${set_name}/requirements.txt" "REQUIREMENTS of ${fn}" errors "${errors}")
  set(advice "")
  if(errors MATCHES "is out of date|does not exist, and --locked| one is asked for")
    if(locked STREQUAL "UVAUTH_LOCKED")
      string(APPEND advice "\nhint: to update the lock, configure once with -DUVAUTH_LOCKED=OFF, then commit it")
    elseif(locked STREQUAL "UV_LOCKED")
      string(APPEND advice "\nhint: to update the lock, configure once without UV_LOCKED in the environment, then commit it")
    else()
      string(APPEND advice "\nhint: to update the lock, remove LOCKED from ${fn} in ${CMAKE_CURRENT_LIST_FILE}, reconfigure, then commit the lock")
    endif()
  endif()
  if(UVAUTH_OFFLINE AND errors MATCHES "offline|--offline")
    string(APPEND advice "\nhint: the network is off (UVAUTH_OFFLINE): configure with -DUVAUTH_OFFLINE=OFF to let uvauth fetch")
  endif()
  set(${out} "${fn}: ${what} failed:\n${errors}${advice}" PARENT_SCOPE)
endfunction()

# Locks a set: `uvauth lock`, its changes as STATUS lines; `files_read_out`
# gets the files the tool read (configure dependencies).
function(_uvauth_lock_set fn set_name files_read_out)
  cmake_parse_arguments(PARSE_ARGV 3 lk "TARGET_ONLY"
                        "CONFIG;REQUIREMENTS_FILE;HAS_REQUIREMENTS;PYPROJECT;LOCKFILE;PYTHON;LOCKED_BY;PYTHON_VERSION;PYTHON_PLATFORM"
                        "FILES;GROUPS;ENVIRONMENTS;REQUIRED_ENVIRONMENTS")
  message(STATUS "UvAuth: ${set_name}: resolving")
  if(lk_PYTHON_VERSION)
    set(lock_args lock -o "${lk_LOCKFILE}" --python-version "${lk_PYTHON_VERSION}")
    if(lk_PYTHON_PLATFORM AND lk_TARGET_ONLY)
      list(APPEND lock_args --python-platform "${lk_PYTHON_PLATFORM}")
    endif()
  else()
    set(lock_args lock -o "${lk_LOCKFILE}" --python "${lk_PYTHON}")
  endif()
  if(lk_TARGET_ONLY)
    list(APPEND lock_args --no-universal)
  else()
    list(APPEND lock_args --universal)
    foreach(marker IN LISTS lk_ENVIRONMENTS)
      list(APPEND lock_args --environment "${marker}")
    endforeach()
    foreach(marker IN LISTS lk_REQUIRED_ENVIRONMENTS)
      list(APPEND lock_args --required-environment "${marker}")
    endforeach()
  endif()
  if(lk_HAS_REQUIREMENTS)
    list(APPEND lock_args -r "${lk_REQUIREMENTS_FILE}")
  endif()
  foreach(file IN LISTS lk_FILES)
    list(APPEND lock_args -r "${file}")
  endforeach()
  if(lk_PYPROJECT)
    list(APPEND lock_args --project "${lk_PYPROJECT}")
    if(lk_GROUPS)
      # GROUPS names the groups: the default `dev` is not added to them.
      list(APPEND lock_args --no-default-groups)
    endif()
    foreach(group IN LISTS lk_GROUPS)
      list(APPEND lock_args --group "${group}")
    endforeach()
  endif()
  if(lk_LOCKED_BY)
    list(APPEND lock_args --locked)
  endif()
  _uvauth_run("${fn}" "${set_name}" "locking" "${lk_LOCKED_BY}" lock_json --config-file "${lk_CONFIG}" ${lock_args})
  _uvauth_report_changes("${set_name}" "${lock_json}" lock)
  string(JSON changed GET "${lock_json}" changed)
  string(JSON count LENGTH "${lock_json}" packages)
  _uvauth_plural(${count} package locked_text)
  if(changed)
    message(STATUS "UvAuth: ${set_name}: locked ${locked_text} into ${lk_LOCKFILE}")
  else()
    message(STATUS "UvAuth: ${set_name}: ${lk_LOCKFILE} is up to date (${locked_text})")
  endif()
  set(files_read "")
  string(JSON read_count LENGTH "${lock_json}" files_read)
  if(read_count GREATER 0)
    math(EXPR last "${read_count} - 1")
    foreach(i RANGE ${last})
      string(JSON file GET "${lock_json}" files_read ${i})
      list(APPEND files_read "${file}")
    endforeach()
  endif()
  set(${files_read_out} "${files_read}" PARENT_SCOPE)
endfunction()

# Installs a set's lock: `uvauth sync`, its changes as STATUS lines;
# `packages_out` gets name==version, `stamp_out` the stamp the tool reports.
function(_uvauth_sync_set fn set_name packages_out stamp_out)
  cmake_parse_arguments(PARSE_ARGV 4 sy "" "CONFIG;LOCKFILE;TARGET;PYTHON;FROZEN;PYTHON_VERSION;PYTHON_PLATFORM" "")
  message(STATUS "UvAuth: ${set_name}: installing into ${sy_TARGET}")
  if(sy_PYTHON_VERSION)
    set(sync_args sync --lock "${sy_LOCKFILE}" --target "${sy_TARGET}" --python-version "${sy_PYTHON_VERSION}")
    if(sy_PYTHON_PLATFORM)
      list(APPEND sync_args --python-platform "${sy_PYTHON_PLATFORM}")
    endif()
  else()
    set(sync_args sync --lock "${sy_LOCKFILE}" --target "${sy_TARGET}" --python "${sy_PYTHON}")
  endif()
  if(sy_FROZEN)
    list(APPEND sync_args --frozen)
  endif()
  _uvauth_run("${fn}" "${set_name}" "installing" "" sync_json --config-file "${sy_CONFIG}" ${sync_args})
  _uvauth_json_pins("${sync_json}" packages packages)
  list(LENGTH packages count)
  string(JSON stamp GET "${sync_json}" stamp)
  string(JSON unchanged GET "${sync_json}" unchanged)
  _uvauth_plural(${count} package in_all)
  if(unchanged)
    message(STATUS "UvAuth: ${set_name}: ${in_all} already installed")
  else()
    _uvauth_report_changes("${set_name}" "${sync_json}" sync)
    string(JSON installed GET "${sync_json}" installed)
    string(JSON removed GET "${sync_json}" removed)
    message(STATUS "UvAuth: ${set_name}: installed ${installed}, removed ${removed}, ${in_all} in all")
  endif()
  set(${packages_out} "${packages}" PARENT_SCOPE)
  set(${stamp_out} "${stamp}" PARENT_SCOPE)
endfunction()

function(uvauth_add_requirements set_name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "LOCKED;FROZEN;TARGET_ONLY" "PYPROJECT;PYTHON;LOCKFILE;TARGET_DIR;PYTHON_VERSION;PYTHON_PLATFORM"
                        "REQUIREMENTS;REQUIREMENTS_FILE;GROUPS;ENVIRONMENTS;REQUIRED_ENVIRONMENTS;EDITABLE")
  set(fn "uvauth_add_requirements(${set_name})")
  _uvauth_reject_unparsed("${fn}" arg)
  if(NOT set_name MATCHES "^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
    message(FATAL_ERROR "uvauth_add_requirements: invalid set name '${set_name}' (use letters, digits, '.', '_' and '-')")
  endif()
  if(arg_LOCKED AND arg_FROZEN)
    message(FATAL_ERROR "${fn}: LOCKED and FROZEN exclude each other (FROZEN never resolves, LOCKED resolves and compares)")
  endif()
  # Locked mode from CI without editing CMakeLists: the cache variables and uv's variables.
  set(locked_by "")
  _uvauth_env_flag(UV_LOCKED env_locked)
  _uvauth_env_flag(UV_FROZEN env_frozen)
  if(arg_LOCKED)
    set(locked_by "LOCKED")
  elseif(UVAUTH_LOCKED)
    set(locked_by "UVAUTH_LOCKED")
  elseif(env_locked)
    set(locked_by "UV_LOCKED")
  endif()
  set(frozen "${arg_FROZEN}")
  if(NOT arg_LOCKED AND (UVAUTH_FROZEN OR env_frozen))
    set(frozen TRUE)
    set(locked_by "")
  endif()
  if(arg_GROUPS AND NOT arg_PYPROJECT)
    message(FATAL_ERROR "${fn}: GROUPS needs PYPROJECT")
  endif()
  if(arg_PYTHON_PLATFORM AND NOT arg_PYTHON_VERSION)
    message(FATAL_ERROR "${fn}: PYTHON_PLATFORM needs PYTHON_VERSION")
  endif()
  if(arg_PYTHON_VERSION AND arg_PYTHON)
    message(FATAL_ERROR "${fn}: PYTHON and PYTHON_VERSION exclude each other (an interpreter, or a cross target)")
  endif()
  # A universal lock's environments: the set's, else the project's defaults.
  set(environments "${arg_ENVIRONMENTS}")
  if(NOT environments AND NOT "ENVIRONMENTS" IN_LIST arg_KEYWORDS_MISSING_VALUES)
    set(environments "${UVAUTH_ENVIRONMENTS}")
  endif()
  set(required_environments "${arg_REQUIRED_ENVIRONMENTS}")
  if(NOT required_environments)
    set(required_environments "${UVAUTH_REQUIRED_ENVIRONMENTS}")
  endif()
  if(arg_TARGET_ONLY AND (arg_ENVIRONMENTS OR arg_REQUIRED_ENVIRONMENTS))
    message(FATAL_ERROR "${fn}: TARGET_ONLY locks for one target; ENVIRONMENTS and REQUIRED_ENVIRONMENTS are for universal locks")
  endif()
  if(arg_TARGET_ONLY)
    set(environments "")
    set(required_environments "")
  endif()
  if(NOT frozen AND NOT arg_REQUIREMENTS AND NOT arg_REQUIREMENTS_FILE AND NOT arg_PYPROJECT AND NOT arg_EDITABLE)
    message(FATAL_ERROR "${fn}: nothing to install; give REQUIREMENTS, REQUIREMENTS_FILE, PYPROJECT or EDITABLE (or FROZEN with a LOCKFILE)")
  endif()
  _uvauth_requirement_lines("${fn}" requirements_text ${arg_REQUIREMENTS})
  # In-tree projects: EDITABLE directories (PEP 660), and `name @ /path/to/dir`
  # requirements. Their pyproject.toml / setup.cfg / setup.py are watched.
  set(project_files "")
  foreach(dir IN LISTS arg_EDITABLE)
    get_filename_component(dir "${dir}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT IS_DIRECTORY "${dir}" OR (NOT EXISTS "${dir}/pyproject.toml" AND NOT EXISTS "${dir}/setup.py"))
      message(FATAL_ERROR "${fn}: EDITABLE ${dir} is not a Python project directory (no pyproject.toml or setup.py)")
    endif()
    string(APPEND requirements_text "-e ${dir}\n")
    list(APPEND project_files "${dir}")
  endforeach()
  foreach(requirement IN LISTS arg_REQUIREMENTS)
    if(requirement MATCHES "@[ \t]*(/[^ \t;]*)" AND IS_DIRECTORY "${CMAKE_MATCH_1}")
      list(APPEND project_files "${CMAKE_MATCH_1}")
    endif()
  endforeach()
  set(project_metadata_files "")
  foreach(dir IN LISTS project_files)
    foreach(name IN ITEMS pyproject.toml setup.cfg setup.py)
      if(EXISTS "${dir}/${name}")
        list(APPEND project_metadata_files "${dir}/${name}")
      endif()
    endforeach()
  endforeach()

  _uvauth_executable(exe)
  _uvauth_choose_python("${fn}" "${arg_PYTHON}" python)

  if(arg_LOCKFILE)
    get_filename_component(lockfile "${arg_LOCKFILE}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  else()
    set(lockfile "${CMAKE_CURRENT_SOURCE_DIR}/pylock.${set_name}.toml")
  endif()
  set(state_dir "${CMAKE_CURRENT_BINARY_DIR}/_uvauth/${set_name}")
  if(arg_TARGET_DIR)
    get_filename_component(target "${arg_TARGET_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  else()
    set(target "${state_dir}/site")
  endif()

  set(target_only "")
  if(arg_TARGET_ONLY)
    set(target_only TARGET_ONLY)
  endif()
  set(files "")
  foreach(file IN LISTS arg_REQUIREMENTS_FILE)
    get_filename_component(file "${file}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT EXISTS "${file}")
      message(FATAL_ERROR "${fn}: REQUIREMENTS_FILE ${file} does not exist")
    endif()
    list(APPEND files "${file}")
  endforeach()
  set(pyproject "")
  if(arg_PYPROJECT)
    get_filename_component(pyproject "${arg_PYPROJECT}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT EXISTS "${pyproject}")
      message(FATAL_ERROR "${fn}: PYPROJECT ${pyproject} does not exist")
    endif()
  endif()
  get_property(declared GLOBAL PROPERTY "_UVAUTH_SET_${set_name}_SITE_DIR")
  if(declared)
    message(FATAL_ERROR "${fn}: a requirement set of that name is already declared (installed in ${declared})")
  endif()
  get_property(taken GLOBAL PROPERTY _UVAUTH_TARGET_DIRS)
  if(target IN_LIST taken)
    message(FATAL_ERROR "${fn}: TARGET_DIR ${target} is already used by another requirement set")
  endif()
  set_property(GLOBAL APPEND PROPERTY _UVAUTH_TARGET_DIRS "${target}")
  if(frozen AND NOT EXISTS "${lockfile}")
    message(FATAL_ERROR "${fn}: FROZEN needs the lock ${lockfile}, which does not exist; configure once without FROZEN "
      "(and with -DUVAUTH_FROZEN=OFF, without UV_FROZEN) to create it")
  endif()
  if(frozen AND NOT arg_TARGET_ONLY)
    # FROZEN installs the lock as it is: a single-target one still only fits its own target.
    file(STRINGS "${lockfile}" lock_target REGEX "^target = " LIMIT_COUNT 1)
    if(lock_target AND NOT lock_target MATCHES "^target = 'universal")
      message(WARNING "${fn}: ${lockfile} is a single-target lock (${lock_target}); FROZEN installs it as it is. "
        "To make it universal (one lock for every machine), configure once without FROZEN and commit it; "
        "to keep it single-target, add TARGET_ONLY.")
    endif()
  endif()

  # The generated inputs: indexes as a uv.toml-style file, requirements one
  # per line (line N is the Nth requirement: the tool's messages about it are
  # turned back into "REQUIREMENTS, item N").
  file(MAKE_DIRECTORY "${state_dir}")
  set(config_text "# Generated by UvAuth for the requirement set '${set_name}'. No credentials here, ever.\n")
  get_property(index_names GLOBAL PROPERTY _UVAUTH_INDEX_NAMES)
  foreach(index IN LISTS index_names)
    _uvauth_index_toml("${index}" entry)
    string(APPEND config_text "\n${entry}")
  endforeach()
  set(config_file "${state_dir}/uvauth.toml")
  set(requirements_file "${state_dir}/requirements.txt")
  _uvauth_write_if_changed("${config_file}" "${config_text}")
  _uvauth_write_if_changed("${requirements_file}" "${requirements_text}")

  string(REPLACE ";" "|" environments_key "ENV=${environments};REQ=${required_environments}")
  set(options "LOCKED=${locked_by};FROZEN=${frozen};GROUPS=${arg_GROUPS};OFFLINE=${UVAUTH_OFFLINE};CACHE=${UVAUTH_CACHE_DIR};LOCKFILE=${lockfile}"
              "TARGET_ONLY=${arg_TARGET_ONLY};CROSS=${arg_PYTHON_VERSION}/${arg_PYTHON_PLATFORM};${environments_key}")
  set(state_file "${state_dir}/state.cmake")
  set(_uvauth_state_fingerprint "")
  set(_uvauth_state_files "")
  set(_uvauth_state_packages "")
  set(_uvauth_state_stamp "")
  if(EXISTS "${state_file}")
    include("${state_file}")
  endif()
  set(watched ${requirements_file} ${files} ${pyproject} ${project_metadata_files} ${_uvauth_state_files})
  list(REMOVE_DUPLICATES watched)
  _uvauth_fingerprint(fingerprint CONFIG "${config_file}" FILES ${watched} LOCKFILE "${lockfile}"
                      STAMP "${_uvauth_state_stamp}" PYTHON "${python}" EXE "${exe}" OPTIONS "${options}")

  if(fingerprint STREQUAL _uvauth_state_fingerprint)
    set(packages "${_uvauth_state_packages}")
    set(files_read "${_uvauth_state_files}")
    set(stamp "${_uvauth_state_stamp}")
  else()
    set(files_read "")
    if(NOT frozen)
      set(has_requirements FALSE)
      if(NOT requirements_text STREQUAL "")
        set(has_requirements TRUE)
      endif()
      _uvauth_lock_set("${fn}" "${set_name}" files_read
        CONFIG "${config_file}" REQUIREMENTS_FILE "${requirements_file}" HAS_REQUIREMENTS ${has_requirements}
        FILES ${files} PYPROJECT "${pyproject}" GROUPS ${arg_GROUPS} LOCKFILE "${lockfile}" PYTHON "${python}"
        LOCKED_BY "${locked_by}" PYTHON_VERSION "${arg_PYTHON_VERSION}" PYTHON_PLATFORM "${arg_PYTHON_PLATFORM}"
        ENVIRONMENTS ${environments} REQUIRED_ENVIRONMENTS ${required_environments} ${target_only})
    endif()
    _uvauth_sync_set("${fn}" "${set_name}" packages stamp
      CONFIG "${config_file}" LOCKFILE "${lockfile}" TARGET "${target}" PYTHON "${python}" FROZEN "${frozen}"
      PYTHON_VERSION "${arg_PYTHON_VERSION}" PYTHON_PLATFORM "${arg_PYTHON_PLATFORM}")

    set(watched ${requirements_file} ${files} ${pyproject} ${project_metadata_files} ${files_read})
    list(REMOVE_DUPLICATES watched)
    _uvauth_fingerprint(fingerprint CONFIG "${config_file}" FILES ${watched} LOCKFILE "${lockfile}"
                        STAMP "${stamp}" PYTHON "${python}" EXE "${exe}" OPTIONS "${options}")
    file(WRITE "${state_file}"
      "# Generated by UvAuth: the outcome of the last run for the set '${set_name}'.\n"
      "set(_uvauth_state_fingerprint \"${fingerprint}\")\n"
      "set(_uvauth_state_files [==[${files_read}]==])\n"
      "set(_uvauth_state_packages [==[${packages}]==])\n"
      "set(_uvauth_state_stamp [==[${stamp}]==])\n")
  endif()

  # Editing any input reruns configure (and so this function).
  set(depends ${files} ${pyproject} ${project_metadata_files} ${files_read})
  if(EXISTS "${lockfile}")
    list(APPEND depends "${lockfile}")
  endif()
  list(REMOVE_DUPLICATES depends)
  list(REMOVE_ITEM depends "${requirements_file}")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${depends})

  # Something to depend on: the stamp changes when the installed set does,
  # and the target carries the set's directories.
  if(NOT TARGET uvauth_${set_name})
    add_custom_target(uvauth_${set_name} DEPENDS "${stamp}")
    set_target_properties(uvauth_${set_name} PROPERTIES
      UVAUTH_SITE_DIR "${target}" UVAUTH_BIN_DIR "${target}/bin" UVAUTH_PYTHON "${python}" UVAUTH_STAMP "${stamp}")
  endif()

  # Editable installs put a .pth naming the project's directory in the site
  # directory; PYTHONPATH does not read .pth files, so those directories go
  # on PYTHONPATH after it.
  set(pth_paths "")
  file(GLOB pth_files LIST_DIRECTORIES false "${target}/*.pth")
  foreach(pth IN LISTS pth_files)
    file(STRINGS "${pth}" pth_lines LIMIT_COUNT 100)
    foreach(line IN LISTS pth_lines)
      string(STRIP "${line}" line)
      if(IS_ABSOLUTE "${line}" AND IS_DIRECTORY "${line}")
        list(APPEND pth_paths "${line}")
      endif()
    endforeach()
  endforeach()
  set_property(GLOBAL PROPERTY "_UVAUTH_SET_${set_name}_PTH_PATHS" "${pth_paths}")
  set_property(GLOBAL PROPERTY "_UVAUTH_SET_${set_name}_SITE_DIR" "${target}")
  set_property(GLOBAL PROPERTY "_UVAUTH_SET_${set_name}_BIN_DIR" "${target}/bin")
  set_property(GLOBAL PROPERTY "_UVAUTH_SET_${set_name}_PACKAGES" "${packages}")
  set(${set_name}_SITE_DIR "${target}" PARENT_SCOPE)
  set(${set_name}_BIN_DIR "${target}/bin" PARENT_SCOPE)
  set(${set_name}_PACKAGES "${packages}" PARENT_SCOPE)
  set(${set_name}_PYTHON "${python}" PARENT_SCOPE)
  set(${set_name}_STAMP "${stamp}" PARENT_SCOPE)
endfunction()

# The site and bin directories of sets, after checking that no two of them
# pin one package at different versions (one PYTHONPATH imports only one).
function(_uvauth_directories_of fn sets site_out bin_out)
  set(site_dirs "")
  set(bin_dirs "")
  set(seen_names "")
  foreach(set_name IN LISTS sets)
    get_property(site GLOBAL PROPERTY "_UVAUTH_SET_${set_name}_SITE_DIR")
    if(NOT site)
      message(FATAL_ERROR "${fn}: no requirement set '${set_name}'; declare it with uvauth_add_requirements(${set_name} ...) first")
    endif()
    get_property(bin GLOBAL PROPERTY "_UVAUTH_SET_${set_name}_BIN_DIR")
    get_property(packages GLOBAL PROPERTY "_UVAUTH_SET_${set_name}_PACKAGES")
    foreach(pin IN LISTS packages)
      string(REPLACE "==" ";" parts "${pin}")
      list(GET parts 0 name)
      list(GET parts 1 version)
      if(name IN_LIST seen_names)
        get_property(other GLOBAL PROPERTY "_UVAUTH_PIN_${name}")
        list(GET other 0 other_set)
        list(GET other 1 other_version)
        if(NOT other_version STREQUAL version)
          message(FATAL_ERROR "${fn}: the sets '${other_set}' and '${set_name}' conflict: '${other_set}' pins "
            "${name}==${other_version} and '${set_name}' pins ${name}==${version}; one environment can import only one. "
            "Use one set with both requirements, or separate tests.")
        endif()
      else()
        list(APPEND seen_names "${name}")
        set_property(GLOBAL PROPERTY "_UVAUTH_PIN_${name}" "${set_name};${version}")
      endif()
    endforeach()
    get_property(pth_paths GLOBAL PROPERTY "_UVAUTH_SET_${set_name}_PTH_PATHS")
    list(APPEND site_dirs "${site}" ${pth_paths})
    list(APPEND bin_dirs "${bin}")
  endforeach()
  foreach(name IN LISTS seen_names)
    set_property(GLOBAL PROPERTY "_UVAUTH_PIN_${name}" "")
  endforeach()
  set(${site_out} "${site_dirs}" PARENT_SCOPE)
  set(${bin_out} "${bin_dirs}" PARENT_SCOPE)
endfunction()

function(uvauth_python_environment set_name out_var)
  if(ARGC GREATER 2)
    message(FATAL_ERROR "uvauth_python_environment: unknown arguments: ${ARGN}")
  endif()
  _uvauth_directories_of("uvauth_python_environment(${set_name})" "${set_name}" site_dirs bin_dirs)
  # For `cmake -E env`: PATH and PYTHONPATH are prepended when the command
  # runs (the build's PATH, not the one of configure time), to what is there.
  list(REVERSE bin_dirs)
  list(REVERSE site_dirs)
  set(environment "")
  foreach(dir IN LISTS bin_dirs)
    list(APPEND environment --modify "PATH=path_list_prepend:${dir}")
  endforeach()
  foreach(dir IN LISTS site_dirs)
    list(APPEND environment --modify "PYTHONPATH=path_list_prepend:${dir}")
  endforeach()
  # For a test's ENVIRONMENT_MODIFICATION property.
  set(modification "")
  foreach(dir IN LISTS bin_dirs)
    list(APPEND modification "PATH=path_list_prepend:${dir}")
  endforeach()
  foreach(dir IN LISTS site_dirs)
    list(APPEND modification "PYTHONPATH=path_list_prepend:${dir}")
  endforeach()
  set(${out_var} "${environment}" PARENT_SCOPE)
  set(${out_var}_MODIFICATION "${modification}" PARENT_SCOPE)
endfunction()

function(uvauth_add_python_test)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "NAME;WORKING_DIRECTORY" "REQUIREMENTS;COMMAND")
  _uvauth_reject_unparsed("uvauth_add_python_test(${arg_NAME})" arg)
  if(NOT arg_NAME OR NOT arg_REQUIREMENTS OR NOT arg_COMMAND)
    message(FATAL_ERROR "uvauth_add_python_test: NAME, REQUIREMENTS and COMMAND are required")
  endif()
  set(fn "uvauth_add_python_test(${arg_NAME})")
  _uvauth_directories_of("${fn}" "${arg_REQUIREMENTS}" site_dirs bin_dirs)
  if(arg_WORKING_DIRECTORY)
    add_test(NAME "${arg_NAME}" COMMAND ${arg_COMMAND} WORKING_DIRECTORY "${arg_WORKING_DIRECTORY}")
  else()
    add_test(NAME "${arg_NAME}" COMMAND ${arg_COMMAND})
  endif()
  # Prepended when the test runs, to the PATH and PYTHONPATH ctest has then.
  set(modification "")
  list(REVERSE bin_dirs)
  list(REVERSE site_dirs)
  foreach(dir IN LISTS bin_dirs)
    list(APPEND modification "PATH=path_list_prepend:${dir}")
  endforeach()
  foreach(dir IN LISTS site_dirs)
    list(APPEND modification "PYTHONPATH=path_list_prepend:${dir}")
  endforeach()
  set_tests_properties("${arg_NAME}" PROPERTIES ENVIRONMENT_MODIFICATION "${modification}")
endfunction()

cmake_policy(POP)
