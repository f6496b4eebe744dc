#include "shared_options.hpp"

#include "commands.hpp"

namespace uvauth::tool {
namespace {

// One value per use, as in uv: `--index A --index B`, never `--index A B`.
CLI::Option* repeatable(CLI::Option* option) { return option->expected(1)->allow_extra_args(false)->take_all(); }

}  // namespace

void add_resolution_options(CLI::App* cmd, app::LockArguments& a) {
  cmd->add_option("requirements", a.requirements, "Requirements (PEP 508)");
  repeatable(cmd->add_option("-r,--requirements", a.requirement_files, "Read requirements from a file (repeatable)"));
  repeatable(cmd->add_option("-c,--constraint", a.constraint_files, "Constrain versions with a file (repeatable)"));
  cmd->add_option("--project", a.project, "A project directory or its pyproject.toml: [project].dependencies and [tool.uv]");
  repeatable(cmd->add_option("--group", a.groups, "A dependency group of the project (repeatable; default: dev, if it exists)"));
  cmd->add_flag("--all-groups", a.all_groups, "Every dependency group of the project");
  cmd->add_flag("--no-dev", a.no_dev, "Not the default `dev` group");
  cmd->add_flag("--no-default-groups", a.no_default_groups, "No default group: only those named with --group");
  repeatable(cmd->add_option("--extra", a.extras, "An extra of the project ([project.optional-dependencies]; repeatable)"));
  cmd->add_flag("--all-extras", a.all_extras, "Every extra of the project");
  repeatable(cmd->add_option("--index", a.indexes, "An index, NAME=URL or URL, before the default (repeatable)"));
  cmd->add_option("--default-index", a.default_index, "The default index (instead of PyPI)");
  cmd->add_option("--index-url,-i", a.index_url, "The default index (pip's name for --default-index)");
  repeatable(cmd->add_option("--extra-index-url", a.extra_index_urls, "Another index, before the default (repeatable)"));
  repeatable(cmd->add_option("--find-links,-f", a.find_links, "A directory or page of wheels (repeatable)"));
  cmd->add_flag("--no-index", a.no_index, "Use no index: only --find-links and direct URLs");
  cmd->add_flag("--require-hashes", a.require_hashes, "Every package needs a --hash in the requirements (pip's hash-checking mode)");
  cmd->add_option("--python,-p", a.python, "The target interpreter: a version (3.12), a name on PATH or a path (default: python3)");
  cmd->add_option("--python-version", a.python_version, "Resolve for this Python version instead (cross target)");
  cmd->add_option("--python-platform", a.python_platform,
                  "Platform of the cross target: uv's names (x86_64-manylinux_2_28, aarch64-apple-darwin, linux, macos, windows) or a tag");
  cmd->add_option("--prerelease", a.prerelease, "allow|disallow|if-necessary|explicit|if-necessary-or-explicit");
  cmd->add_flag("--upgrade,-U", a.upgrade, "Resolve afresh: ignore the versions the existing lock pins");
  repeatable(cmd->add_option("--upgrade-package,-P", a.upgrade_packages, "Resolve this package afresh (repeatable)"));
  cmd->add_flag("--refresh", a.refresh, "Revalidate every cached index page, even one still fresh (10 minutes without the index's Cache-Control, as uv)");
  repeatable(cmd->add_option("--refresh-package", a.refresh_packages, "Revalidate this project's cached index pages (repeatable)"));
  cmd->add_flag("--no-deps", a.no_deps, "Only the requirements named, none of their dependencies");
  cmd->add_flag("--dry-run", a.dry_run, "Resolve and say what would change; write nothing");
  repeatable(cmd->add_option("-e,--editable", a.editables, "A local project directory, installed editable (PEP 660; repeatable)"));
  cmd->add_flag("--no-build", a.no_build, "Never build from source: only wheels (also UV_NO_BUILD=1)");
  repeatable(cmd->add_option("--no-build-package", a.no_build_packages, "Never build this package from source (repeatable)"));
  repeatable(cmd->add_option("--no-binary", a.no_binary, "Build these packages from their sdist: NAME, a comma list or :all: (repeatable)"));
  repeatable(cmd->add_option("--no-binary-package", a.no_binary_packages, "Build this package from its sdist (repeatable)"));
  repeatable(cmd->add_option("--only-binary", a.only_binary, "Never build these packages from source: NAME, a comma list or :all: (pip's and uv's; repeatable)"))
      ->delimiter(',');
}

void add_install_options(CLI::App* cmd, app::SyncArguments& a, InstallFlags& flags) {
  cmd->add_option("--target,-t", flags.target, "Install into DIR with pip's --target layout");
  cmd->add_option("--venv", flags.venv, "Install into a virtual environment at DIR (created if missing)");
  cmd->add_flag("--reinstall", a.reinstall, "Install every package again, even those already there");
  repeatable(cmd->add_option("--reinstall-package", a.reinstall_packages, "Install this package again (repeatable)"));
  cmd->add_flag("--exact", a.exact, "Also remove what the lock does not name from a venv (a --target always is exact)");
  cmd->add_option("--link-mode", a.link_mode, "clone (copy-on-write where the file system can, else hard links, else copies), hardlink or copy; default: UV_LINK_MODE, then the settings' link-mode, then clone")
      ->check(CLI::IsMember({"clone", "hardlink", "copy"}));
}

void apply(const InstallFlags& flags, app::SyncArguments& a) {
  if (!flags.target.empty()) a.target = flags.target;
  if (!flags.venv.empty()) a.venv = flags.venv;
}

void apply_global(const GlobalOptions& global, app::LockArguments& a) {
  a.session = session_options(global);
  if (!global.cache_dir.empty()) a.cache_dir = global.cache_dir;
  a.no_cache = global.no_cache;
  a.offline = global.offline;
}

void apply_global(const GlobalOptions& global, app::SyncArguments& a) {
  a.session = session_options(global);
  if (!global.cache_dir.empty()) a.cache_dir = global.cache_dir;
  a.no_cache = global.no_cache;
  a.offline = global.offline;
}

}  // namespace uvauth::tool
