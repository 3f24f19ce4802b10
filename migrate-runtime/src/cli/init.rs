//! `init`: scaffold migrations into the cargo package in the current directory: the
//! migrations folder, `migrate.toml`, the `migrations!` line, the `build.rs` rerun line, an
//! `xtask` crate running the CLI and its cargo alias. It never overwrites a file: what it
//! cannot create or safely append to, it prints for you to add.

use std::path::{Path, PathBuf};

use clap::Args;

use super::config::{DEFAULT_MIGRATIONS, FILE_NAME};
use super::{Session, Status};
use crate::{Error, Result};

/// Arguments of `init`.
#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// The migrations folder to create, under `src/` (default `src/migrations`): another
    /// one when that name is taken, by sqlx's `.sql` files, say.
    #[arg(long, value_name = "DIR", value_parser = folder_arg)]
    pub migrations: Option<String>,
}

/// A migrations folder for `init --migrations`: a relative path under `src/` (so that
/// `migrations!` in `src/lib.rs` names it without `..`), of plain names.
fn folder_arg(dir: &str) -> std::result::Result<String, String> {
    let dir = dir.trim_end_matches('/');
    let parts: Vec<&str> = dir.split('/').collect();
    let plain = |part: &str| {
        !part.is_empty()
            && part != "."
            && part != ".."
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    if parts.len() >= 2 && parts[0] == "src" && parts[1..].iter().all(|p| plain(p)) {
        Ok(dir.to_owned())
    } else {
        Err(format!(
            "`{dir}` is not a folder `init` can use: give one under `src/` (the folder \
             `migrations!` in src/lib.rs names), such as `src/schema` or `src/db/migrations`"
        ))
    }
}

/// One step of the scaffold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// Create a folder.
    Folder(PathBuf),
    /// Create a new file with this text.
    Create(PathBuf, String),
    /// Append this text to an existing file.
    Append(PathBuf, String),
    /// Leave the file alone; tell the user what to add.
    Manual(PathBuf, String),
    /// Already set up.
    Present(PathBuf),
}

/// What `init` finds in the package: file contents, `None` when absent.
#[derive(Debug, Default)]
pub(crate) struct Package {
    /// `Cargo.toml`.
    pub(crate) manifest: String,
    /// `src/lib.rs`.
    pub(crate) lib_rs: Option<String>,
    /// `build.rs`.
    pub(crate) build_rs: Option<String>,
    /// `.cargo/config.toml`.
    pub(crate) cargo_config: Option<String>,
    /// Whether an `xtask` folder exists.
    pub(crate) has_xtask: bool,
    /// The `Cargo.toml` of a workspace above the package, when it is a member of one:
    /// then the xtask, its workspace entry and the cargo alias belong there.
    pub(crate) enclosing_workspace: Option<std::path::PathBuf>,
}

const MIGRATE_TOML: &str = r#"# Settings of the migrate CLI. Every key is optional; `cargo xtask migrate config` shows the
# effective values and where each came from. Flags and DATABASE_URL (also read from .env)
# take precedence over this file.

# The folder holding one migration file per revision.
migrations = "{{folder}}"

# A migration file template replacing the built-in one (placeholders: {{message}},
# {{revision}}, {{revises}}, {{arguments}}, {{upgrade_body}}, {{downgrade}}, {{slug}}).
# template = "migration.rs.tmpl"

# The default database; ${VAR} is read from the environment or .env, so secrets stay there.
# Without it: the SQLite file migrate.sqlite3 next to this file.
# database_url = "postgres://app:${DATABASE_PASSWORD}@localhost/app"

# version_table = "migrate_version"
# history_table = "migrate_history"
# transaction_mode = "per-migration"   # or "all"
"#;

/// The `migrations!` line of src/lib.rs for the migrations folder `folder` (`src/...`).
fn migrations_line(folder: &str) -> String {
    format!(
        "migrate_runtime::migrations!(\"{}\");",
        folder.strip_prefix("src/").unwrap_or(folder)
    )
}

/// The build script's line watching `folder`.
fn rerun_line(folder: &str) -> String {
    format!("println!(\"cargo::rerun-if-changed={folder}\");")
}

const ALIAS: &str = "xtask = \"run --quiet --package xtask --\"";

/// Plans the scaffold of `package` rooted at `root`, its migrations in `folder`
/// (`src/migrations`). Pure.
pub(crate) fn plan(root: &Path, package: &Package, folder: &str) -> Result<Vec<Step>> {
    let (migrations_line, rerun_line) = (migrations_line(folder), rerun_line(folder));
    let manifest: toml::Table = package.manifest.parse().map_err(|err: toml::de::Error| {
        Error::Refused(format!("cannot read Cargo.toml: {}", err.message()))
    })?;
    let Some(name) = manifest
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
    else {
        return Err(Error::Refused(
            "Cargo.toml has no [package]: run `init` in the package that will hold the \
             migrations"
                .into(),
        ));
    };
    let lib_name = manifest
        .get("lib")
        .and_then(|l| l.get("name"))
        .and_then(|n| n.as_str())
        .map_or_else(|| name.replace('-', "_"), str::to_owned);
    let Some(runtime) = manifest
        .get("dependencies")
        .and_then(|d| d.get("migrate-runtime"))
    else {
        return Err(Error::Refused(
            "Cargo.toml does not depend on migrate-runtime yet: add it first (`cargo add \
             migrate-runtime`, or a path or git dependency), then run `init` again"
                .into(),
        ));
    };

    let mut steps = vec![
        Step::Folder(root.join(folder)),
        Step::Create(
            root.join(FILE_NAME),
            MIGRATE_TOML.replace("{{folder}}", folder),
        ),
    ];
    let lib = root.join("src/lib.rs");
    steps.push(match &package.lib_rs {
        None => Step::Create(
            lib,
            format!(
                "//! The {name} library: its database migrations live in `{folder}`, one \
                 file per revision.\n\n{migrations_line}\n"
            ),
        ),
        Some(text) if text.contains("migrations!(") => Step::Present(lib),
        Some(_) => Step::Append(
            lib,
            format!("\n// Every migration file of {folder}, one module each.\n{migrations_line}\n"),
        ),
    });
    let build = root.join("build.rs");
    steps.push(match &package.build_rs {
        None => Step::Create(
            build,
            format!(
                "//! Rebuilds the crate when a migration file is added, removed or renamed: \
                 `migrations!`\n//! scans the folder at compile time, and cargo does not \
                 otherwise watch a folder's listing.\n\nfn main() {{\n    {rerun_line}\n}}\n"
            ),
        ),
        Some(text) if text.contains(&format!("rerun-if-changed={folder}")) => Step::Present(build),
        Some(_) => Step::Manual(build, format!("add to `fn main`: {rerun_line}")),
    });
    let xtask = root.join("xtask");
    if let Some(workspace) = &package.enclosing_workspace {
        // A `[workspace]` or `.cargo` here would split the enclosing workspace.
        steps.push(Step::Manual(
            workspace.clone(),
            format!(
                "this package is a member of this workspace, where the CLI belongs: add a \
                 member binary (an `xtask` crate, say) depending on `migrate-runtime` with \
                 its `cli` feature and on `{name}`, whose `main` is `use {lib_name} as _;` \
                 and `migrate_runtime::cli::main()`, and in the root's `.cargo/config.toml` \
                 the alias `[alias] xtask = \"run --quiet --package xtask --\"`"
            ),
        ));
        return Ok(steps);
    }
    if package.has_xtask {
        steps.push(Step::Manual(
            xtask,
            format!(
                "an xtask crate exists; give it a `migrate` task running \
                 `migrate_runtime::cli::Cli` with `use {lib_name} as _;` (see \
                 `migrate_runtime::cli` docs)"
            ),
        ));
    } else {
        steps.push(Step::Create(
            xtask.join("Cargo.toml"),
            xtask_manifest(name, runtime),
        ));
        steps.push(Step::Create(
            xtask.join("src/main.rs"),
            xtask_main(&lib_name),
        ));
        steps.push(match manifest.get("workspace") {
            None => Step::Append(
                root.join("Cargo.toml"),
                "\n[workspace]\nmembers = [\"xtask\"]\n".into(),
            ),
            Some(workspace)
                if workspace
                    .get("members")
                    .and_then(|m| m.as_array())
                    .is_some_and(|m| m.iter().any(|v| v.as_str() == Some("xtask"))) =>
            {
                Step::Present(root.join("Cargo.toml"))
            }
            Some(_) => Step::Manual(
                root.join("Cargo.toml"),
                "add \"xtask\" to `members` of [workspace]".into(),
            ),
        });
    }
    let config = root.join(".cargo/config.toml");
    steps.push(match &package.cargo_config {
        None => Step::Create(config, format!("[alias]\n{ALIAS}\n")),
        Some(text) if text.contains("xtask") => Step::Present(config),
        Some(_) => Step::Manual(config, format!("add under [alias]: {ALIAS}")),
    });
    Ok(steps)
}

fn xtask_manifest(package: &str, runtime: &toml::Value) -> String {
    format!(
        "[package]\nname = \"xtask\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = \
         false\n\n[dependencies]\n{package} = {{ path = \"..\" }}\nmigrate-runtime = {}\nclap \
         = {{ version = \"4\", features = [\"derive\"] }}\n",
        runtime_spec(runtime)
    )
}

/// The package's `migrate-runtime` dependency as seen from `xtask/`, with the `cli`
/// feature: relative paths get one more `../`.
/// The `Cargo.toml` of the nearest folder above `root` whose manifest has a `[workspace]`.
fn enclosing_workspace(root: &Path) -> Option<std::path::PathBuf> {
    root.ancestors().skip(1).find_map(|dir| {
        let manifest = dir.join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).ok()?;
        let table: toml::Table = text.parse().ok()?;
        table.contains_key("workspace").then_some(manifest)
    })
}

fn runtime_spec(spec: &toml::Value) -> String {
    let mut table = match spec {
        toml::Value::Table(table) => table.clone(),
        other => {
            let mut table = toml::Table::new();
            table.insert("version".into(), other.clone());
            table
        }
    };
    if let Some(toml::Value::String(path)) = table.get_mut("path")
        && Path::new(path.as_str()).is_relative()
    {
        *path = format!("../{path}");
    }
    let features = table
        .entry("features")
        .or_insert_with(|| toml::Value::Array(Vec::new()));
    if let toml::Value::Array(list) = features
        && !list.iter().any(|f| f.as_str() == Some("cli"))
    {
        list.push(toml::Value::String("cli".into()));
    }
    let fields: Vec<String> = table.iter().map(|(k, v)| format!("{k} = {v}")).collect();
    format!("{{ {} }}", fields.join(", "))
}

fn xtask_main(lib_name: &str) -> String {
    format!(
        r#"//! Development tasks: `cargo xtask migrate <command>` runs the migrate CLI with this
//! project's migrations compiled in (Rust migrations run inside the binary that links them).

use std::process::ExitCode;

use clap::Parser;
use migrate_runtime::cli::CliOptions;
// Linking the crate is what registers its migrations with this binary.
use {lib_name} as _;

/// Development tasks.
#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
enum Task {{
    /// Database migrations: `cargo xtask migrate --help`.
    Migrate(migrate_runtime::cli::Cli),
}}

fn main() -> ExitCode {{
    match Task::parse() {{
        // The process only runs the command: Ctrl-C stops an upgrade between migrations.
        Task::Migrate(cli) => match migrate_runtime::MigrationSet::registered() {{
            Ok(set) => cli.run_with(set, CliOptions::new().handle_signals(true)),
            Err(err) => migrate_runtime::cli::report(&err),
        }},
    }}
}}
"#
    )
}

impl InitArgs {
    pub(crate) fn run(self, _session: &Session) -> Result<Status> {
        let folder = self
            .migrations
            .unwrap_or_else(|| DEFAULT_MIGRATIONS.to_owned());
        let root = std::env::current_dir().map_err(|source| Error::Io {
            action: "read",
            path: ".".into(),
            source,
        })?;
        let read = |relative: &str| std::fs::read_to_string(root.join(relative)).ok();
        let Some(manifest) = read("Cargo.toml") else {
            return Err(Error::Refused(format!(
                "no Cargo.toml in `{}`: run `init` at the root of the cargo package that will \
                 hold the migrations",
                root.display()
            )));
        };
        // The two things only `init` creates: finding either means it already ran, or
        // that the folder's name is taken (sqlx's `migrations-dir = "src/migrations"`).
        if root.join(FILE_NAME).exists() {
            return Err(Error::FileExists {
                path: FILE_NAME.into(),
            });
        }
        if root.join(&folder).exists() {
            return Err(Error::Refused(format!(
                "`{folder}` already exists: `init` creates the migrations folder itself (if it \
                 holds another tool's migrations, sqlx's say, keep them there and import them \
                 later); choose another folder: `init --migrations src/schema`"
            )));
        }
        let package = Package {
            manifest,
            lib_rs: read("src/lib.rs"),
            build_rs: read("build.rs"),
            cargo_config: read(".cargo/config.toml"),
            has_xtask: root.join("xtask").exists(),
            enclosing_workspace: enclosing_workspace(&root),
        };
        let steps = plan(&root, &package, &folder)?;
        let shown = |path: &Path| {
            path.strip_prefix(&root)
                .unwrap_or(path)
                .display()
                .to_string()
        };
        let io = |action: &'static str, path: &Path| {
            let path = shown(path);
            move |source| Error::Io {
                action,
                path,
                source,
            }
        };
        let mut manual = Vec::new();
        for step in &steps {
            match step {
                Step::Folder(path) => {
                    std::fs::create_dir_all(path).map_err(io("create", path))?;
                    outln!("created {}/", shown(path));
                }
                Step::Create(path, text) => {
                    if let Some(parent) = path.parent() {
                        std::fs::create_dir_all(parent).map_err(io("create", parent))?;
                    }
                    std::fs::OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .open(path)
                        .and_then(|mut file| std::io::Write::write_all(&mut file, text.as_bytes()))
                        .map_err(io("create", path))?;
                    outln!("created {}", shown(path));
                }
                Step::Append(path, text) => {
                    std::fs::OpenOptions::new()
                        .append(true)
                        .open(path)
                        .and_then(|mut file| std::io::Write::write_all(&mut file, text.as_bytes()))
                        .map_err(io("append to", path))?;
                    outln!("updated {} (appended {})", shown(path), text.trim());
                }
                Step::Manual(path, what) => manual.push(format!("{}: {what}", shown(path))),
                Step::Present(path) => outln!("kept    {} (already set up)", shown(path)),
            }
        }
        if !manual.is_empty() {
            outln!("left alone, please edit by hand:");
            for line in &manual {
                outln!("  {line}");
            }
        }
        if let Some(hint) = diesel_hint(&package.manifest) {
            outln!("{hint}");
        }
        outln!("next: {}", next_step(&package));
        Ok(Status::Success)
    }
}

/// The diesel version requirement migrate-runtime is built on (the workspace's `diesel`;
/// a test keeps the two equal). A package's own `diesel` must match it for cargo to use
/// one diesel for both.
const DIESEL_REQUIREMENT: &str = "2.3";

/// Typed data migrations name `diesel::` themselves (its macros expand to `diesel::` paths,
/// which `migrate_runtime::diesel` cannot stand in for): said once, when the package does not
/// depend on diesel yet.
fn diesel_hint(manifest: &str) -> Option<String> {
    let table: toml::Table = manifest.parse().ok()?;
    let has_diesel = table
        .get("dependencies")
        .and_then(toml::Value::as_table)
        .is_some_and(|deps| deps.contains_key("diesel"));
    (!has_diesel).then(|| {
        format!(
            "typed data migrations (diesel queries on `ctx.connection()?`) need diesel itself: \
             `cargo add diesel@{DIESEL_REQUIREMENT}` (the version migrate-runtime uses; its \
             backend features come with migrate-runtime's)"
        )
    })
}

/// The command that writes the first migration once `init` is done: in a workspace member
/// the binary the message asks for is the CLI itself, with no `migrate` task in front.
fn next_step(package: &Package) -> &'static str {
    if package.enclosing_workspace.is_some() {
        "once that binary and its alias exist, cargo xtask revision -m \"create users\""
    } else {
        "cargo xtask migrate revision -m \"create users\""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_diesel_advice_names_the_workspace_diesel() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
        let workspace: toml::Table = std::fs::read_to_string(root).unwrap().parse().unwrap();
        let version = workspace["workspace"]["dependencies"]["diesel"]["version"]
            .as_str()
            .unwrap();
        assert_eq!(version, DIESEL_REQUIREMENT);
        let hint = diesel_hint(MANIFEST).unwrap();
        assert!(hint.contains("`cargo add diesel@2.3`"), "{hint}");
        let with_diesel = format!("{MANIFEST}diesel = \"2.3\"\n");
        assert_eq!(diesel_hint(&with_diesel), None);
    }

    fn package(manifest: &str) -> Package {
        Package {
            manifest: manifest.into(),
            ..Package::default()
        }
    }

    const MANIFEST: &str = "[package]\nname = \"my-app\"\nedition = \"2024\"\n\n\
                            [dependencies]\nmigrate-runtime = { path = \"../migrate/migrate-runtime\" }\n";

    #[test]
    fn a_workspace_member_leaves_the_workspace_alone() {
        let mut member = package(MANIFEST);
        member.enclosing_workspace = Some("/ws/Cargo.toml".into());
        let steps = plan(Path::new("/ws/crates/p"), &member, DEFAULT_MIGRATIONS).unwrap();
        // No `[workspace]` appended, no xtask or `.cargo` inside the member.
        assert!(
            !steps
                .iter()
                .any(|s| matches!(s, Step::Append(p, _) if p.ends_with("Cargo.toml"))),
            "{steps:?}"
        );
        assert!(
            !steps.iter().any(|s| matches!(s, Step::Create(p, _)
                if p.starts_with("/ws/crates/p/xtask") || p.starts_with("/ws/crates/p/.cargo"))),
            "{steps:?}"
        );
        assert!(
            steps.iter().any(|s| matches!(s, Step::Manual(p, text)
                if p == Path::new("/ws/Cargo.toml") && text.contains("use my_app as _;"))),
            "{steps:?}"
        );
        // The migrations themselves are still set up in the member.
        assert!(steps.contains(&Step::Folder("/ws/crates/p/src/migrations".into())));
        // The next command matches the binary the message describes (`cli::main()`, no
        // `migrate` task) and the alias it names.
        assert!(
            steps.iter().any(|s| matches!(s, Step::Manual(_, text)
                if text.contains("xtask = \"run --quiet --package xtask --\""))),
            "{steps:?}"
        );
        assert!(next_step(&member).contains("cargo xtask revision -m"));
        assert!(next_step(&package(MANIFEST)).contains("cargo xtask migrate revision -m"));
    }

    #[test]
    fn a_fresh_package_gets_everything() {
        let steps = plan(Path::new("/p"), &package(MANIFEST), DEFAULT_MIGRATIONS).unwrap();
        let created: Vec<String> = steps
            .iter()
            .filter_map(|s| match s {
                Step::Create(path, _) => Some(path.display().to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(
            created,
            [
                "/p/migrate.toml",
                "/p/src/lib.rs",
                "/p/build.rs",
                "/p/xtask/Cargo.toml",
                "/p/xtask/src/main.rs",
                "/p/.cargo/config.toml"
            ]
        );
        let text = |name: &str| {
            steps
                .iter()
                .find_map(|s| match s {
                    Step::Create(path, text) if path.ends_with(name) => Some(text.clone()),
                    _ => None,
                })
                .unwrap()
        };
        assert!(text("xtask/Cargo.toml").contains(
            "migrate-runtime = { features = [\"cli\"], path = \"../../migrate/migrate-runtime\" }"
        ));
        assert!(text("xtask/Cargo.toml").contains("my-app = { path = \"..\" }"));
        assert!(text("main.rs").contains("use my_app as _;"));
        assert!(text("lib.rs").contains(migrations_line(DEFAULT_MIGRATIONS).as_str()));
        assert!(steps.contains(&Step::Append(
            PathBuf::from("/p/Cargo.toml"),
            "\n[workspace]\nmembers = [\"xtask\"]\n".into()
        )));
        // The generated settings parse.
        let config: super::super::config::FileConfig =
            toml::from_str(&text("migrate.toml")).unwrap();
        assert_eq!(config.migrations.as_deref(), Some("src/migrations"));
    }

    #[test]
    fn existing_files_are_appended_to_or_left_alone() {
        let mut existing = package(&format!("{MANIFEST}\n[workspace]\nmembers = [\"cli\"]\n"));
        existing.lib_rs = Some("pub mod api;\n".into());
        existing.build_rs = Some("fn main() {}\n".into());
        existing.cargo_config = Some("[build]\njobs = 2\n".into());
        existing.has_xtask = true;
        let steps = plan(Path::new("/p"), &existing, DEFAULT_MIGRATIONS).unwrap();
        assert!(steps.iter().any(|s| matches!(s, Step::Append(p, t)
            if p.ends_with("src/lib.rs") && t.contains(migrations_line(DEFAULT_MIGRATIONS).as_str()))));
        let manual: Vec<&str> = steps
            .iter()
            .filter_map(|s| match s {
                Step::Manual(_, what) => Some(what.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(manual.len(), 3, "{manual:?}");
        assert!(manual[0].contains(rerun_line(DEFAULT_MIGRATIONS).as_str()));
        assert!(manual[1].contains("use my_app as _;"));
        assert!(manual[2].contains(ALIAS));
        assert!(
            !steps
                .iter()
                .any(|s| matches!(s, Step::Create(p, _) if !p.ends_with("migrate.toml")))
        );
    }

    #[test]
    fn refuses_without_a_package_or_the_dependency() {
        let err = plan(
            Path::new("/p"),
            &package("[workspace]\n"),
            DEFAULT_MIGRATIONS,
        )
        .unwrap_err();
        assert!(err.to_string().contains("no [package]"), "{err}");
        let err = plan(
            Path::new("/p"),
            &package("[package]\nname = \"a\"\n"),
            DEFAULT_MIGRATIONS,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("cargo add migrate-runtime"),
            "{err}"
        );
    }

    #[test]
    fn string_versions_become_tables_with_the_cli_feature() {
        assert_eq!(
            runtime_spec(&toml::Value::String("0.1".into())),
            "{ features = [\"cli\"], version = \"0.1\" }"
        );
        let table: toml::Table =
            "x = { version = \"0.1\", default-features = false, features = [\"postgres\"] }"
                .parse()
                .unwrap();
        assert_eq!(
            runtime_spec(&table["x"]),
            "{ default-features = false, features = [\"postgres\", \"cli\"], version = \"0.1\" }"
        );
    }

    #[test]
    fn migrate_toml_and_the_readme_list_every_template_placeholder() {
        let readme =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
                .unwrap();
        // The README's sentence on templates, from its first placeholder on.
        let at = readme.find("A template may use").unwrap();
        let readme = &readme[at..at + 600];
        for name in crate::cli::template::PLACEHOLDERS {
            let placeholder = format!("{{{{{name}}}}}");
            assert!(
                MIGRATE_TOML.contains(&placeholder),
                "migrate.toml's comment lacks {placeholder}"
            );
            assert!(
                readme.contains(&placeholder),
                "the README lacks {placeholder}"
            );
        }
    }

    #[test]
    fn another_migrations_folder_is_named_everywhere_init_writes_it() {
        let steps = plan(Path::new("/p"), &package(MANIFEST), "src/db/schema").unwrap();
        assert_eq!(steps[0], Step::Folder("/p/src/db/schema".into()));
        let text = |end: &str| {
            steps
                .iter()
                .find_map(|s| match s {
                    Step::Create(p, t) if p.ends_with(end) => Some(t.clone()),
                    _ => None,
                })
                .unwrap()
        };
        assert!(text("migrate.toml").contains("\nmigrations = \"src/db/schema\"\n"));
        assert!(text("lib.rs").contains("migrate_runtime::migrations!(\"db/schema\");"));
        assert!(text("build.rs").contains("cargo::rerun-if-changed=src/db/schema"));
        assert_eq!(folder_arg("src/schema/"), Ok("src/schema".to_owned()));
        for bad in [
            "migrations",
            "src",
            "src/../x",
            "/src/x",
            "src/a b",
            "src//x",
        ] {
            assert!(folder_arg(bad).is_err(), "{bad}");
        }
    }
}
