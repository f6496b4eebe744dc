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
                     [AUTHENTICATE auto|always|never])

  ``<name>``
    The index name: letters, digits, ``.``, ``_``, ``-``. Its credentials can
    come from ``UV_INDEX_<NAME>_USERNAME`` / ``UV_INDEX_<NAME>_PASSWORD``
    (name upper-cased, other characters ``_``).
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
                            [PYPROJECT <pyproject.toml> [GROUPS <group>...]]
                            [PYTHON <exe>]
                            [LOCKFILE <file>]
                            [LOCKED | FROZEN]
                            [TARGET_DIR <dir>])

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
  ``PYPROJECT``
    Reads ``[project.dependencies]``, the dependency ``GROUPS`` (default
    ``dev`` when it exists), ``[[tool.uv.index]]`` and ``[tool.uv.sources]``.
  ``PYTHON``
    The interpreter the packages are for. Default: ``Python3_EXECUTABLE``,
    found with ``find_package(Python3 COMPONENTS Interpreter)`` if unset.
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

  Requirement files, the pyproject and the lock become configure
  dependencies. Reconfiguring with nothing changed starts no process: the
  answer comes from a fingerprint of the inputs and of the installed tree.

.. command:: uvauth_python_environment

  ::

    uvauth_python_environment(<set> <out-var>)

  Sets ``<out-var>`` to ``PYTHONPATH=<site>;PATH=<bin>:$PATH``, usable as the
  ``ENVIRONMENT`` of a test or after ``${CMAKE_COMMAND} -E env`` in a custom
  command.

.. command:: uvauth_add_python_test

  ::

    uvauth_add_python_test(NAME <name> REQUIREMENTS <set>...
                           COMMAND <command> [<arg>...]
                           [WORKING_DIRECTORY <dir>])

  ``add_test()`` with the environment of the sets.

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
#]=======================================================================]

include_guard(GLOBAL)

if(CMAKE_VERSION VERSION_LESS 3.19)
  message(FATAL_ERROR "UvAuth needs CMake 3.19 or newer (string(JSON)); this is ${CMAKE_VERSION}")
endif()

set(UVAUTH_VERBOSE OFF CACHE BOOL "Run uvauth with -v and show its output (secrets stay hidden)")
set(UVAUTH_CACHE_DIR "" CACHE PATH "The uvauth cache directory (empty: the tool's default)")
set(UVAUTH_OFFLINE OFF CACHE BOOL "Never let uvauth touch the network")

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
  cmake_parse_arguments(PARSE_ARGV 1 arg "DEFAULT;EXPLICIT" "URL;FORMAT;AUTHENTICATE" "")
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

  _uvauth_toml_string("${name}" toml_name)
  _uvauth_toml_string("${arg_URL}" toml_url)
  set(entry "[[index]]\nname = ${toml_name}\nurl = ${toml_url}\nformat = \"${arg_FORMAT}\"\nauthenticate = \"${arg_AUTHENTICATE}\"\n")
  if(arg_DEFAULT)
    string(APPEND entry "default = true\n")
  endif()
  if(arg_EXPLICIT)
    string(APPEND entry "explicit = true\n")
  endif()

  get_property(known GLOBAL PROPERTY _UVAUTH_INDEX_NAMES)
  if(name IN_LIST known)
    get_property(previous GLOBAL PROPERTY "_UVAUTH_INDEX_${name}")
    if(NOT previous STREQUAL entry)
      message(FATAL_ERROR "uvauth_add_index(${name}): an index of that name is already declared differently")
    endif()
    return()
  endif()
  if(arg_DEFAULT)
    foreach(other IN LISTS known)
      get_property(other_entry GLOBAL PROPERTY "_UVAUTH_INDEX_${other}")
      if(other_entry MATCHES "default = true")
        message(FATAL_ERROR "uvauth_add_index(${name}): '${other}' is already the DEFAULT index")
      endif()
    endforeach()
  endif()
  set_property(GLOBAL APPEND PROPERTY _UVAUTH_INDEX_NAMES "${name}")
  set_property(GLOBAL PROPERTY "_UVAUTH_INDEX_${name}" "${entry}")
endfunction()

# Runs the tool; on failure, a configure error with its (already redacted) message.
function(_uvauth_run set_name what json_out)
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
    message(FATAL_ERROR "uvauth_add_requirements(${set_name}): ${what} failed (exit code ${result}):\n${errors}")
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
  cmake_parse_arguments(PARSE_ARGV 1 fp "" "CONFIG;LOCKFILE;TARGET;PYTHON;EXE" "FILES;OPTIONS")
  set(text "uvauth-fingerprint-1\n")
  foreach(file IN LISTS fp_CONFIG fp_FILES fp_LOCKFILE)
    if(EXISTS "${file}")
      file(SHA256 "${file}" digest)
    else()
      set(digest missing)
    endif()
    string(APPEND text "file ${file} ${digest}\n")
  endforeach()
  if(EXISTS "${fp_TARGET}/.uvauth-sync.json")
    file(SHA256 "${fp_TARGET}/.uvauth-sync.json" digest)
  else()
    set(digest missing)
  endif()
  string(APPEND text "target ${fp_TARGET} ${digest}\n")
  foreach(program IN ITEMS "${fp_PYTHON}" "${fp_EXE}")
    file(TIMESTAMP "${program}" stamp "%s" UTC)
    string(APPEND text "program ${program} ${stamp}\n")
  endforeach()
  string(APPEND text "options ${fp_OPTIONS}\n")
  string(SHA256 digest "${text}")
  set(${out} "${digest}" PARENT_SCOPE)
endfunction()

function(uvauth_add_requirements set_name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "LOCKED;FROZEN" "PYPROJECT;PYTHON;LOCKFILE;TARGET_DIR"
                        "REQUIREMENTS;REQUIREMENTS_FILE;GROUPS")
  set(fn "uvauth_add_requirements(${set_name})")
  _uvauth_reject_unparsed("${fn}" arg)
  if(NOT set_name MATCHES "^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
    message(FATAL_ERROR "uvauth_add_requirements: invalid set name '${set_name}' (use letters, digits, '.', '_' and '-')")
  endif()
  if(arg_LOCKED AND arg_FROZEN)
    message(FATAL_ERROR "${fn}: LOCKED and FROZEN exclude each other (FROZEN never resolves, LOCKED resolves and compares)")
  endif()
  if(arg_GROUPS AND NOT arg_PYPROJECT)
    message(FATAL_ERROR "${fn}: GROUPS needs PYPROJECT")
  endif()
  if(NOT arg_FROZEN AND NOT arg_REQUIREMENTS AND NOT arg_REQUIREMENTS_FILE AND NOT arg_PYPROJECT)
    message(FATAL_ERROR "${fn}: nothing to install; give REQUIREMENTS, REQUIREMENTS_FILE or PYPROJECT (or FROZEN with a LOCKFILE)")
  endif()

  _uvauth_executable(exe)
  if(arg_PYTHON)
    set(python "${arg_PYTHON}")
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
  if(arg_FROZEN AND NOT EXISTS "${lockfile}")
    message(FATAL_ERROR "${fn}: FROZEN needs the lock ${lockfile}, which does not exist; configure once without FROZEN to create it")
  endif()

  # The generated inputs: indexes as a uv.toml-style file, requirements one per line.
  file(MAKE_DIRECTORY "${state_dir}")
  set(config_text "# Generated by UvAuth for the requirement set '${set_name}'. No credentials here, ever.\n")
  get_property(index_names GLOBAL PROPERTY _UVAUTH_INDEX_NAMES)
  foreach(index IN LISTS index_names)
    get_property(entry GLOBAL PROPERTY "_UVAUTH_INDEX_${index}")
    string(APPEND config_text "\n${entry}")
  endforeach()
  set(requirements_text "# Generated by UvAuth from uvauth_add_requirements(${set_name} REQUIREMENTS ...) in ${CMAKE_CURRENT_LIST_FILE}\n")
  foreach(requirement IN LISTS arg_REQUIREMENTS)
    if(requirement MATCHES "^[ \t]*-" OR requirement MATCHES "\n")
      message(FATAL_ERROR "${fn}: REQUIREMENTS takes PEP 508 requirements, one per argument; '${requirement}' is not one (options belong in a REQUIREMENTS_FILE)")
    endif()
    if(requirement MATCHES "://[^/?#@ ]*:[^/?#@ ]*@")
      string(REGEX REPLACE "^(.*://[^/?#@: ]*):[^/?#@ ]*@" "\\1:****@" shown "${requirement}")
      message(FATAL_ERROR "${fn}: the requirement '${shown}' holds a password in its URL. "
        "Credentials never pass through CMake; give them to uvauth through netrc, "
        "UV_INDEX_<NAME>_USERNAME / _PASSWORD or `uvauth auth login <url>`.")
    endif()
    string(APPEND requirements_text "${requirement}\n")
  endforeach()
  set(config_file "${state_dir}/uvauth.toml")
  set(requirements_file "${state_dir}/requirements.txt")
  _uvauth_write_if_changed("${config_file}" "${config_text}")
  _uvauth_write_if_changed("${requirements_file}" "${requirements_text}")

  set(options "LOCKED=${arg_LOCKED};FROZEN=${arg_FROZEN};GROUPS=${arg_GROUPS};OFFLINE=${UVAUTH_OFFLINE};CACHE=${UVAUTH_CACHE_DIR};LOCKFILE=${lockfile}")
  set(state_file "${state_dir}/state.cmake")
  set(_uvauth_state_fingerprint "")
  set(_uvauth_state_files "")
  set(_uvauth_state_packages "")
  if(EXISTS "${state_file}")
    include("${state_file}")
  endif()
  set(watched ${requirements_file} ${files} ${pyproject} ${_uvauth_state_files})
  list(REMOVE_DUPLICATES watched)
  _uvauth_fingerprint(fingerprint CONFIG "${config_file}" FILES ${watched} LOCKFILE "${lockfile}"
                      TARGET "${target}" PYTHON "${python}" EXE "${exe}" OPTIONS "${options}")

  if(fingerprint STREQUAL _uvauth_state_fingerprint)
    set(packages "${_uvauth_state_packages}")
    set(files_read "${_uvauth_state_files}")
  else()
    set(files_read "")
    if(NOT arg_FROZEN)
      message(STATUS "UvAuth: ${set_name}: resolving")
      set(lock_args lock -r "${requirements_file}" -o "${lockfile}" --python "${python}")
      foreach(file IN LISTS files)
        list(APPEND lock_args -r "${file}")
      endforeach()
      if(pyproject)
        list(APPEND lock_args --project "${pyproject}")
        if(arg_GROUPS)
          # GROUPS names the groups: the default `dev` is not added to them.
          list(APPEND lock_args --no-default-groups)
        endif()
        foreach(group IN LISTS arg_GROUPS)
          list(APPEND lock_args --group "${group}")
        endforeach()
      endif()
      if(arg_LOCKED)
        list(APPEND lock_args --locked)
      endif()
      _uvauth_run("${set_name}" "locking" lock_json --config-file "${config_file}" ${lock_args})
      string(JSON changed GET "${lock_json}" changed)
      string(JSON count LENGTH "${lock_json}" packages)
      if(changed)
        message(STATUS "UvAuth: ${set_name}: locked ${count} packages into ${lockfile}")
      else()
        message(STATUS "UvAuth: ${set_name}: ${lockfile} is up to date (${count} packages)")
      endif()
      string(JSON read_count LENGTH "${lock_json}" files_read)
      if(read_count GREATER 0)
        math(EXPR last "${read_count} - 1")
        foreach(i RANGE ${last})
          string(JSON file GET "${lock_json}" files_read ${i})
          list(APPEND files_read "${file}")
        endforeach()
      endif()
    endif()

    message(STATUS "UvAuth: ${set_name}: installing into ${target}")
    set(sync_args sync --lock "${lockfile}" --target "${target}" --python "${python}")
    if(arg_FROZEN)
      list(APPEND sync_args --frozen)
    endif()
    _uvauth_run("${set_name}" "installing" sync_json --config-file "${config_file}" ${sync_args})
    set(packages "")
    string(JSON count LENGTH "${sync_json}" packages)
    if(count GREATER 0)
      math(EXPR last "${count} - 1")
      foreach(i RANGE ${last})
        string(JSON name GET "${sync_json}" packages ${i} name)
        string(JSON version GET "${sync_json}" packages ${i} version)
        list(APPEND packages "${name}==${version}")
      endforeach()
    endif()
    string(JSON unchanged GET "${sync_json}" unchanged)
    if(unchanged)
      message(STATUS "UvAuth: ${set_name}: ${count} packages already installed")
    else()
      string(JSON installed GET "${sync_json}" installed)
      string(JSON removed GET "${sync_json}" removed)
      message(STATUS "UvAuth: ${set_name}: installed ${installed}, removed ${removed}, ${count} packages in all")
    endif()

    set(watched ${requirements_file} ${files} ${pyproject} ${files_read})
    list(REMOVE_DUPLICATES watched)
    _uvauth_fingerprint(fingerprint CONFIG "${config_file}" FILES ${watched} LOCKFILE "${lockfile}"
                        TARGET "${target}" PYTHON "${python}" EXE "${exe}" OPTIONS "${options}")
    file(WRITE "${state_file}"
      "# Generated by UvAuth: the outcome of the last run for the set '${set_name}'.\n"
      "set(_uvauth_state_fingerprint \"${fingerprint}\")\n"
      "set(_uvauth_state_files [==[${files_read}]==])\n"
      "set(_uvauth_state_packages [==[${packages}]==])\n")
  endif()

  # Editing any input reruns configure (and so this function).
  set(depends ${files} ${pyproject} ${files_read})
  if(EXISTS "${lockfile}")
    list(APPEND depends "${lockfile}")
  endif()
  list(REMOVE_DUPLICATES depends)
  list(REMOVE_ITEM depends "${requirements_file}")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${depends})

  set_property(GLOBAL PROPERTY "_UVAUTH_SET_${set_name}_SITE_DIR" "${target}")
  set_property(GLOBAL PROPERTY "_UVAUTH_SET_${set_name}_BIN_DIR" "${target}/bin")
  set(${set_name}_SITE_DIR "${target}" PARENT_SCOPE)
  set(${set_name}_BIN_DIR "${target}/bin" PARENT_SCOPE)
  set(${set_name}_PACKAGES "${packages}" PARENT_SCOPE)
endfunction()

function(_uvauth_environment_of sets out)
  set(site_dirs "")
  set(bin_dirs "")
  foreach(set_name IN LISTS sets)
    get_property(site GLOBAL PROPERTY "_UVAUTH_SET_${set_name}_SITE_DIR")
    if(NOT site)
      message(FATAL_ERROR "UvAuth: no requirement set '${set_name}'; declare it with uvauth_add_requirements(${set_name} ...) first")
    endif()
    get_property(bin GLOBAL PROPERTY "_UVAUTH_SET_${set_name}_BIN_DIR")
    list(APPEND site_dirs "${site}")
    list(APPEND bin_dirs "${bin}")
  endforeach()
  string(REPLACE ";" ":" pythonpath "${site_dirs}")
  string(REPLACE ";" ":" path "${bin_dirs}")
  set(${out} "PYTHONPATH=${pythonpath}" "PATH=${path}:$ENV{PATH}" PARENT_SCOPE)
endfunction()

function(uvauth_python_environment set_name out_var)
  if(ARGC GREATER 2)
    message(FATAL_ERROR "uvauth_python_environment: unknown arguments: ${ARGN}")
  endif()
  _uvauth_environment_of("${set_name}" environment)
  set(${out_var} "${environment}" PARENT_SCOPE)
endfunction()

function(uvauth_add_python_test)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "NAME;WORKING_DIRECTORY" "REQUIREMENTS;COMMAND")
  _uvauth_reject_unparsed("uvauth_add_python_test(${arg_NAME})" arg)
  if(NOT arg_NAME OR NOT arg_REQUIREMENTS OR NOT arg_COMMAND)
    message(FATAL_ERROR "uvauth_add_python_test: NAME, REQUIREMENTS and COMMAND are required")
  endif()
  _uvauth_environment_of("${arg_REQUIREMENTS}" environment)
  if(arg_WORKING_DIRECTORY)
    add_test(NAME "${arg_NAME}" COMMAND ${arg_COMMAND} WORKING_DIRECTORY "${arg_WORKING_DIRECTORY}")
  else()
    add_test(NAME "${arg_NAME}" COMMAND ${arg_COMMAND})
  endif()
  set_tests_properties("${arg_NAME}" PROPERTIES ENVIRONMENT "${environment}")
endfunction()
