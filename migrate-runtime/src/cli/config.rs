//! `migrate.toml` and the effective settings: every value together with where it came from
//! (a flag, the environment, `.env`, the file or the built-in default), and the `config`
//! command that prints them.
//!
//! Precedence, highest first: flags, the environment (`DATABASE_URL`, then `.env`), the
//! file, the default. The project root is the nearest directory at or above the current one
//! holding `migrate.toml`, else the current directory; relative paths in the file (a
//! SQLite `database_url` too), in the root's `.env` and the default SQLite file are relative
//! to it. A relative `--database-url` or `DATABASE_URL` is relative to the current directory.

use std::fmt;
use std::path::{Path, PathBuf};

use clap::Args;
use serde::Deserialize;

use super::database::Target;
use super::{Session, Status};
use crate::{Backend, DatabaseUrl, Error, Options, Result, TransactionMode};

/// The configuration file's name.
pub(crate) const FILE_NAME: &str = "migrate.toml";

/// The environment variable holding the database URL.
pub(crate) const URL_VAR: &str = "DATABASE_URL";

/// The SQLite file used when no URL is configured, relative to the project root.
pub(crate) const DEFAULT_SQLITE_FILE: &str = "migrate.sqlite3";

/// The migrations folder when the file names none, relative to the project root.
pub(crate) const DEFAULT_MIGRATIONS: &str = "src/migrations";

/// The contents of `migrate.toml`. Every key is optional; unknown keys are refused so that
/// a typo does not silently fall back to a default. Its `Debug` redacts the password of the
/// database URL.
#[derive(Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileConfig {
    /// The migrations folder, relative to the project root.
    pub(crate) migrations: Option<String>,
    /// A migration file template replacing the built-in one, relative to the project root.
    pub(crate) template: Option<String>,
    /// The default database URL; `${VAR}` is replaced by the environment variable `VAR`.
    pub(crate) database_url: Option<String>,
    /// The version table's name.
    pub(crate) version_table: Option<String>,
    /// The history table's name.
    pub(crate) history_table: Option<String>,
    /// `per-migration` or `all`.
    pub(crate) transaction_mode: Option<String>,
}

impl fmt::Debug for FileConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileConfig")
            .field("migrations", &self.migrations)
            .field("template", &self.template)
            .field(
                "database_url",
                &self.database_url.as_deref().map(crate::connection::redact),
            )
            .field("version_table", &self.version_table)
            .field("history_table", &self.history_table)
            .field("transaction_mode", &self.transaction_mode)
            .finish()
    }
}

impl FileConfig {
    /// Parses the text of a `migrate.toml`.
    pub(crate) fn parse(text: &str, path: &Path) -> Result<Self> {
        toml::from_str(text).map_err(|err| Error::Config {
            path: path.display().to_string(),
            reason: match err.span() {
                Some(span) => format!("{}: {}", where_in(text, span.start), err.message()),
                None => err.message().to_owned(),
            },
        })
    }
}

/// ``"line 3 (`version_table`)"``: where `offset` falls in the file, and the key its line
/// sets. Never the line itself, whose value may be a database URL with a password.
fn where_in(text: &str, offset: usize) -> String {
    let before = text.get(..offset).unwrap_or(text);
    let number = before.matches('\n').count() + 1;
    let line = text.lines().nth(number - 1).unwrap_or_default();
    let key = line
        .split_once('=')
        .map(|(key, _)| key.trim())
        .filter(|key| {
            !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '"'))
        });
    match key {
        Some(key) => format!("line {number} (`{key}`)"),
        None => format!("line {number}"),
    }
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A command-line flag, by name.
    Flag(&'static str),
    /// An environment variable, by name.
    Env(&'static str),
    /// A `.env` file.
    DotEnv(PathBuf),
    /// `migrate.toml`.
    File(PathBuf),
    /// The application embedding the CLI ([`CliOptions`](super::CliOptions)).
    App,
    /// Nothing configured: the built-in default.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(flag) => write!(f, "from {flag}"),
            Origin::Env(var) => write!(f, "from {var}"),
            Origin::DotEnv(path) => write!(f, "from {URL_VAR} in {}", path.display()),
            Origin::File(path) => write!(f, "from {}", path.display()),
            Origin::App => f.write_str("from the application"),
            Origin::Default => f.write_str("default"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Setting<T> {
    /// The value.
    pub(crate) value: T,
    /// Its origin.
    pub(crate) origin: Origin,
}

impl<T> Setting<T> {
    fn new(value: T, origin: Origin) -> Self {
        Self { value, origin }
    }
}

/// The inputs of [`Settings::resolve`], gathered by [`Settings::load`]; tests build them.
#[derive(Default)]
pub(crate) struct Sources {
    /// The current directory.
    pub(crate) cwd: PathBuf,
    /// The nearest `migrate.toml` and its parsed contents.
    pub(crate) file: Option<(PathBuf, FileConfig)>,
    /// `--database-url`.
    pub(crate) flag_url: Option<String>,
    /// What the embedding application set in code.
    pub(crate) app: super::CliOptions,
    /// `DATABASE_URL` from the environment.
    pub(crate) env_url: Option<String>,
    /// The project's `.env` file and its variables.
    pub(crate) dotenv: Option<(PathBuf, Vec<(String, String)>)>,
}

/// The effective settings of one CLI run.
#[derive(Clone)]
pub(crate) struct Settings {
    /// The directory holding `migrate.toml`, else the current directory.
    pub(crate) root: PathBuf,
    /// The current directory, to print paths relative to it.
    pub(crate) cwd: PathBuf,
    /// The configuration file, when there is one.
    pub(crate) file: Option<PathBuf>,
    /// The migrations folder (absolute).
    pub(crate) migrations: Setting<PathBuf>,
    /// The template file (absolute); `None` for the built-in template.
    pub(crate) template: Setting<Option<PathBuf>>,
    /// The raw database URL, before `${VAR}` interpolation; `None` for the default file.
    pub(crate) database_url: Setting<Option<String>>,
    /// The version table.
    pub(crate) version_table: Setting<String>,
    /// The history table.
    pub(crate) history_table: Setting<String>,
    /// The transaction mode of `upgrade` without `--transaction`.
    pub(crate) transaction_mode: Setting<TransactionMode>,
    /// How long a run waits for another runner's lock: the application's, else the default.
    pub(crate) lock_timeout: std::time::Duration,
    /// The `.env` variables, also used for `${VAR}` interpolation.
    dotenv: Vec<(String, String)>,
}

/// Redacts the password of the database URL, and shows the `.env` variables by name only
/// (a `.env` file holds secrets).
impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = Setting::new(
            self.database_url
                .value
                .as_deref()
                .map(crate::connection::redact),
            self.database_url.origin.clone(),
        );
        let dotenv: Vec<&str> = self.dotenv.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("Settings")
            .field("root", &self.root)
            .field("cwd", &self.cwd)
            .field("file", &self.file)
            .field("migrations", &self.migrations)
            .field("template", &self.template)
            .field("database_url", &url)
            .field("version_table", &self.version_table)
            .field("history_table", &self.history_table)
            .field("transaction_mode", &self.transaction_mode)
            .field("lock_timeout", &self.lock_timeout)
            .field("dotenv", &dotenv)
            .finish()
    }
}

impl Settings {
    /// Reads the environment, `.env` and the nearest `migrate.toml`, and resolves them with
    /// `flag_url` (`--database-url`) and what the application set in code.
    pub(crate) fn load(flag_url: Option<&str>, app: &super::CliOptions) -> Result<Self> {
        let cwd = std::env::current_dir().map_err(|source| Error::Io {
            action: "read",
            path: ".".into(),
            source,
        })?;
        let file = match find_file(&cwd) {
            Some(path) => {
                let text = std::fs::read_to_string(&path).map_err(|source| Error::Io {
                    action: "read",
                    path: path.display().to_string(),
                    source,
                })?;
                let config = FileConfig::parse(&text, &path)?;
                Some((path, config))
            }
            None => None,
        };
        let root = project_root(&cwd, file.as_ref().map(|(p, _)| p.as_path()));
        // Only the project root's `.env`, not its parents': the default SQLite file lives
        // there too, and the two should agree.
        let dotenv_path = root.join(".env");
        let dotenv = match dotenvy::from_path_iter(&dotenv_path) {
            Ok(iter) => Some((dotenv_path, iter.filter_map(|item| item.ok()).collect())),
            Err(_) => None,
        };
        let env_url = std::env::var(URL_VAR)
            .ok()
            .filter(|url| !url.trim().is_empty());
        Self::resolve(Sources {
            cwd,
            file,
            flag_url: flag_url.map(str::to_owned),
            app: app.clone(),
            env_url,
            dotenv,
        })
    }

    /// Applies the precedence rules to `sources`. Pure.
    pub(crate) fn resolve(sources: Sources) -> Result<Self> {
        let Sources {
            cwd,
            file,
            flag_url,
            app,
            env_url,
            dotenv,
        } = sources;
        let root = project_root(&cwd, file.as_ref().map(|(p, _)| p.as_path()));
        let (file_path, config) = match file {
            Some((path, config)) => (Some(path), config),
            None => (None, FileConfig::default()),
        };
        let from_file = |value: Option<String>| {
            value.map(|v| Setting::new(v, Origin::File(file_path.clone().unwrap_or_default())))
        };
        let defaults = Options::default();

        let migrations = from_file(config.migrations)
            .map(|s| Setting::new(root.join(&s.value), s.origin))
            .unwrap_or_else(|| Setting::new(root.join(DEFAULT_MIGRATIONS), Origin::Default));
        let template = from_file(config.template)
            .map(|s| Setting::new(Some(root.join(&s.value)), s.origin))
            .unwrap_or_else(|| Setting::new(None, Origin::Default));
        let (dotenv_path, dotenv) = match dotenv {
            Some((path, vars)) => (Some(path), vars),
            None => (None, Vec::new()),
        };
        let dotenv_url = dotenv
            .iter()
            .find(|(k, v)| k == URL_VAR && !v.trim().is_empty())
            .map(|(_, v)| v.clone());
        let database_url = if let Some(url) = flag_url {
            Setting::new(Some(url), Origin::Flag("--database-url"))
        } else if let Some(url) = app.database_url {
            Setting::new(Some(url), Origin::App)
        } else if let Some(url) = env_url {
            Setting::new(Some(url.trim().to_owned()), Origin::Env(URL_VAR))
        } else if let (Some(url), Some(path)) = (dotenv_url, dotenv_path) {
            Setting::new(Some(url.trim().to_owned()), Origin::DotEnv(path))
        } else if let Some(s) = from_file(config.database_url) {
            Setting::new(Some(s.value), s.origin)
        } else {
            Setting::new(None, Origin::Default)
        };
        let app_options = app.options.clone();
        let from_app = |value: Option<String>| value.map(|v| Setting::new(v, Origin::App));
        let version_table = from_app(app_options.as_ref().map(|o| o.version_table.clone()))
            .or_else(|| from_file(config.version_table.clone()))
            .unwrap_or_else(|| Setting::new(defaults.version_table.clone(), Origin::Default));
        let history_table = from_app(app_options.as_ref().map(|o| o.history_table.clone()))
            .or_else(|| from_file(config.history_table.clone()))
            .unwrap_or_else(|| Setting::new(defaults.history_table.clone(), Origin::Default));
        // The application's options come whole: its mode too, not the file's.
        let transaction_mode = match from_file(config.transaction_mode) {
            _ if app_options.is_some() => Setting::new(
                app_options
                    .as_ref()
                    .map_or(defaults.transaction_mode, |o| o.transaction_mode),
                Origin::App,
            ),
            Some(s) => {
                let mode = parse_mode(&s.value).map_err(|reason| Error::Config {
                    path: file_path
                        .as_deref()
                        .unwrap_or(Path::new(FILE_NAME))
                        .display()
                        .to_string(),
                    reason,
                })?;
                Setting::new(mode, s.origin)
            }
            None => Setting::new(defaults.transaction_mode, Origin::Default),
        };
        Ok(Self {
            root,
            cwd,
            file: file_path,
            migrations,
            template,
            database_url,
            version_table,
            history_table,
            transaction_mode,
            lock_timeout: app_options.map_or(defaults.lock_timeout, |o| o.lock_timeout),
            dotenv,
        })
    }

    /// The database the commands use: the resolved URL after `${VAR}` interpolation, or the
    /// default SQLite file in the project root. [`Error::NoDatabase`] when there is no URL
    /// and the build has no SQLite.
    pub(crate) fn database(&self) -> Result<Target> {
        self.database_in(cfg!(feature = "sqlite"))
    }

    /// [`Settings::database`] in a build with SQLite compiled in, or not (`sqlite`).
    fn database_in(&self, sqlite: bool) -> Result<Target> {
        let source = self.database_url.origin.clone();
        let url = match &self.database_url.value {
            None if !sqlite => return Err(Error::NoDatabase),
            None => {
                // Relative when the root is the current directory, so messages stay short.
                let path = if self.root == self.cwd {
                    PathBuf::from(DEFAULT_SQLITE_FILE)
                } else {
                    self.root.join(DEFAULT_SQLITE_FILE)
                };
                DatabaseUrl::sqlite_file(&path)
            }
            Some(raw) => {
                let raw = if matches!(source, Origin::File(_)) {
                    interpolate(raw, |name| self.variable(name)).map_err(|reason| {
                        Error::Config {
                            path: self.file_name(),
                            reason: format!("`database_url`: {reason}"),
                        }
                    })?
                } else {
                    raw.clone()
                };
                let url = DatabaseUrl::parse(&raw)?;
                if matches!(source, Origin::File(_) | Origin::DotEnv(_)) {
                    self.rooted(url)?
                } else {
                    url
                }
            }
        };
        Ok(Target { url, source })
    }

    /// `url` with a relative SQLite path joined onto the project root. A URL written in
    /// `migrate.toml` or the root's `.env` names the same file from any folder below the
    /// root, as the default file does; a flag or `DATABASE_URL` stays relative to the
    /// current directory, where the user typed it.
    fn rooted(&self, url: DatabaseUrl) -> Result<DatabaseUrl> {
        if url.backend() != Backend::Sqlite || self.root == self.cwd {
            return Ok(url);
        }
        let path = url.sqlite_path();
        // An SQLite URI (`file:app.db?mode=ro`) keeps its scheme and query.
        if let Some(rest) = path.strip_prefix("file:") {
            return if rest.starts_with('/') || rest.is_empty() {
                Ok(url)
            } else {
                DatabaseUrl::parse(&format!("file:{}", self.root.join(rest).display()))
            };
        }
        if path.is_empty() || path == ":memory:" || Path::new(path).is_absolute() {
            return Ok(url);
        }
        Ok(DatabaseUrl::sqlite_file(&self.root.join(path)))
    }

    /// Executor options from the file (table names, transaction mode).
    pub(crate) fn options(&self) -> Options {
        Options::default()
            .with_version_table(self.version_table.value.clone())
            .with_history_table(self.history_table.value.clone())
            .with_transaction_mode(self.transaction_mode.value)
            .with_lock_timeout(self.lock_timeout)
    }

    /// `path` relative to the current directory when it is below it, for messages.
    pub(crate) fn display_path(&self, path: &Path) -> String {
        path.strip_prefix(&self.cwd)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    fn file_name(&self) -> String {
        self.file
            .as_deref()
            .map_or_else(|| FILE_NAME.to_owned(), |p| p.display().to_string())
    }

    /// An environment variable, else a `.env` variable.
    fn variable(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().or_else(|| {
            self.dotenv
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }

    /// The settings as `key  value  (origin)` lines, the database URL redacted.
    pub(crate) fn describe(&self) -> String {
        let url = match self.database() {
            Ok(target) => target.url.to_string(),
            Err(err @ Error::NoDatabase) => format!("none: {err}"),
            Err(err) => format!("unusable: {err}"),
        };
        let template = self
            .template
            .value
            .as_deref()
            .map_or_else(|| "built-in".to_owned(), |p| self.display_path(p));
        let file = self.file.as_deref().map_or_else(
            || format!("none ({FILE_NAME} not found here or above)"),
            |p| p.display().to_string(),
        );
        let lines: [(&str, String, Option<&Origin>); 9] = [
            ("project root", self.root.display().to_string(), None),
            ("config file", file, None),
            (
                "migrations",
                self.display_path(&self.migrations.value),
                Some(&self.migrations.origin),
            ),
            ("template", template, Some(&self.template.origin)),
            ("database_url", url, Some(&self.database_url.origin)),
            (
                "version_table",
                self.version_table.value.clone(),
                Some(&self.version_table.origin),
            ),
            (
                "history_table",
                self.history_table.value.clone(),
                Some(&self.history_table.origin),
            ),
            (
                "transaction_mode",
                mode_name(self.transaction_mode.value).to_owned(),
                Some(&self.transaction_mode.origin),
            ),
            (
                "default sqlite",
                self.display_path(&self.root.join(DEFAULT_SQLITE_FILE)),
                None,
            ),
        ];
        let width = lines.iter().map(|(k, _, _)| k.len()).max().unwrap_or(0);
        let mut out = String::new();
        for (key, value, origin) in lines {
            match origin {
                Some(origin) => out.push_str(&format!("{key:<width$}  {value}  ({origin})\n")),
                None => out.push_str(&format!("{key:<width$}  {value}\n")),
            }
        }
        out
    }
}

/// The nearest `migrate.toml` at or above `cwd`.
fn find_file(cwd: &Path) -> Option<PathBuf> {
    cwd.ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|path| path.is_file())
}

fn project_root(cwd: &Path, file: Option<&Path>) -> PathBuf {
    file.and_then(Path::parent)
        .map_or_else(|| cwd.to_path_buf(), Path::to_path_buf)
}

fn parse_mode(text: &str) -> std::result::Result<TransactionMode, String> {
    match text {
        "per-migration" | "per_migration" => Ok(TransactionMode::PerMigration),
        "all" => Ok(TransactionMode::All),
        other => Err(format!(
            "unknown `transaction_mode` `{other}`, expected `per-migration` or `all`"
        )),
    }
}

/// The `--transaction` spelling of a mode.
pub(crate) fn mode_name(mode: TransactionMode) -> &'static str {
    match mode {
        TransactionMode::All => "all",
        _ => "per-migration",
    }
}

/// Replaces every `${NAME}` in `text` with `lookup(NAME)`. A `$` not followed by `{` is
/// kept, so passwords with a `$` need no escaping.
pub(crate) fn interpolate(
    text: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> std::result::Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| format!("`${{` without a closing `}}` in `{}`", redact_hint(text)))?;
        let name = &after[..end];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!(
                "`${{{name}}}` is not a variable name (letters, digits and `_`)"
            ));
        }
        let value = lookup(name).ok_or_else(|| {
            format!("`${{{name}}}` is not set (in the environment or the project's .env)")
        })?;
        out.push_str(&value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The text before any `@`, which would be the credentials of a URL: messages about a
/// malformed placeholder show only the part that cannot hold a password.
fn redact_hint(text: &str) -> String {
    match text.rsplit_once('@') {
        Some((_, host)) => format!("...@{host}"),
        None => text.to_owned(),
    }
}

/// Arguments of `config` (none besides the global ones).
#[derive(Debug, Clone, Args)]
pub struct ConfigArgs {}

impl ConfigArgs {
    pub(crate) fn run(self, session: &Session) -> Result<Status> {
        out!("{}", session.settings()?.describe());
        Ok(Status::Success)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources() -> Sources {
        Sources {
            cwd: PathBuf::from("/project/sub"),
            ..Sources::default()
        }
    }

    fn file(text: &str) -> Option<(PathBuf, FileConfig)> {
        let path = PathBuf::from("/project/migrate.toml");
        Some((path.clone(), FileConfig::parse(text, &path).unwrap()))
    }

    #[test]
    fn the_debug_of_a_file_hides_the_password_of_its_url() {
        let (_, config) =
            file("database_url = \"postgres://app:s3cret@db/app\"\nmigrations = \"m\"").unwrap();
        let debug = format!("{config:?}");
        assert!(!debug.contains("s3cret"), "{debug}");
        assert!(
            debug.contains("postgres://app:") && debug.contains("\"m\""),
            "{debug}"
        );
        let settings = Settings::resolve(Sources {
            file: Some(("/project/migrate.toml".into(), config)),
            dotenv: Some((
                "/project/.env".into(),
                vec![("API_TOKEN".into(), "t0ken".into())],
            )),
            ..sources()
        })
        .unwrap();
        let debug = format!("{settings:?}");
        assert!(
            !debug.contains("s3cret") && !debug.contains("t0ken"),
            "{debug}"
        );
        assert!(debug.contains("API_TOKEN"), "{debug}");
    }

    #[test]
    fn defaults_without_a_file() {
        let settings = Settings::resolve(sources()).unwrap();
        assert_eq!(settings.root, Path::new("/project/sub"));
        assert_eq!(
            settings.migrations.value,
            Path::new("/project/sub/src/migrations")
        );
        assert_eq!(settings.database_url, Setting::new(None, Origin::Default));
        // The default of a build with SQLite, whichever this one is.
        let target = settings.database_in(true).unwrap();
        assert_eq!(target.url.as_str(), "sqlite://migrate.sqlite3");
        assert_eq!(settings.version_table.value, "migrate_version");
        assert_eq!(settings.template.value, None);
    }

    #[test]
    fn the_file_sets_every_key_relative_to_its_folder() {
        let settings = Settings::resolve(Sources {
            file: file(
                r#"
                migrations = "examples/src/migrations"
                template = "templates/migration.rs"
                database_url = "sqlite://app.db"
                version_table = "app_version"
                history_table = "app_history"
                transaction_mode = "all"
                "#,
            ),
            ..sources()
        })
        .unwrap();
        let from_file = Origin::File(PathBuf::from("/project/migrate.toml"));
        assert_eq!(settings.root, Path::new("/project"));
        assert_eq!(
            settings.migrations,
            Setting::new(
                PathBuf::from("/project/examples/src/migrations"),
                from_file.clone()
            )
        );
        assert_eq!(
            settings.template.value.as_deref(),
            Some(Path::new("/project/templates/migration.rs"))
        );
        // Relative to the root, like the other paths, not to the current `/project/sub`.
        assert_eq!(
            settings.database().unwrap().url.as_str(),
            "sqlite:///project/app.db"
        );
        assert_eq!(settings.database().unwrap().source, from_file);
        let options = settings.options();
        assert_eq!(options.version_table, "app_version");
        assert_eq!(options.history_table, "app_history");
        assert_eq!(options.transaction_mode, TransactionMode::All);
        // The default database lives in the root, not in the current directory.
        let no_url = Settings::resolve(Sources {
            file: file(""),
            ..sources()
        })
        .unwrap();
        assert_eq!(
            no_url.database_in(true).unwrap().url.as_str(),
            "sqlite:///project/migrate.sqlite3"
        );
        // Without SQLite compiled in there is no default: say how to configure one.
        let err = no_url.database_in(false).unwrap_err();
        assert!(matches!(err, Error::NoDatabase) && err.is_input_error());
        let message = err.to_string();
        for fix in [
            "--database-url",
            "DATABASE_URL",
            "database_url",
            "migrate.toml",
        ] {
            assert!(message.contains(fix), "{message}");
        }
        // A configured URL needs no SQLite.
        assert_eq!(
            settings.database_in(false).unwrap().url.as_str(),
            "sqlite:///project/app.db"
        );
    }

    #[test]
    fn a_file_error_names_its_line_and_key_but_never_the_value() {
        let path = PathBuf::from("/project/migrate.toml");
        let reason = |text: &str| match FileConfig::parse(text, &path) {
            Err(Error::Config { reason, .. }) => reason,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            reason("migrations = \"src/migrations\"\nversion_table = 3\n"),
            "line 2 (`version_table`): invalid type: integer `3`, expected a string"
        );
        let duplicate = reason("migrations = \"a\"\n\nmigrations = \"b\"\n");
        assert!(
            duplicate.starts_with("line 3 (`migrations`): "),
            "{duplicate}"
        );
        // A URL left unterminated is a syntax error on its line: the password stays out.
        let unterminated = reason("database_url = \"postgres://app:s3cret@db/app\n");
        assert!(
            unterminated.starts_with("line 1 (`database_url`): "),
            "{unterminated}"
        );
        assert!(!unterminated.contains("s3cret"), "{unterminated}");
    }

    #[test]
    fn flag_beats_environment_beats_dotenv_beats_file() {
        let all = || Sources {
            file: file(r#"database_url = "sqlite://file.db""#),
            flag_url: Some("sqlite://flag.db".into()),
            env_url: Some("sqlite://env.db".into()),
            dotenv: Some((
                PathBuf::from("/project/.env"),
                vec![(URL_VAR.into(), "sqlite://dotenv.db".into())],
            )),
            ..sources()
        };
        let url = |s: Sources| {
            Settings::resolve(s)
                .unwrap()
                .database()
                .unwrap()
                .url
                .to_string()
        };
        // The flag and the environment stay relative to the current directory.
        assert_eq!(url(all()), "sqlite://flag.db");
        assert_eq!(
            url(Sources {
                flag_url: None,
                ..all()
            }),
            "sqlite://env.db"
        );
        let dotenv = Settings::resolve(Sources {
            flag_url: None,
            env_url: None,
            ..all()
        })
        .unwrap();
        assert_eq!(
            dotenv.database().unwrap().url.as_str(),
            "sqlite:///project/dotenv.db"
        );
        assert_eq!(
            dotenv.database_url.origin,
            Origin::DotEnv(PathBuf::from("/project/.env"))
        );
        assert_eq!(
            url(Sources {
                flag_url: None,
                env_url: None,
                dotenv: None,
                ..all()
            }),
            "sqlite:///project/file.db"
        );
    }

    #[test]
    fn the_application_ranks_below_the_flag_and_above_environment_and_file() {
        let file = || {
            file(
                r#"
                database_url = "sqlite://file.db"
                version_table = "file_version"
                transaction_mode = "all"
                "#,
            )
        };
        let app = crate::cli::CliOptions::new()
            .database_url("postgres://app:secret@db/app")
            .options(
                Options::default()
                    .with_history_table("app_history")
                    .with_lock_timeout(std::time::Duration::from_secs(5)),
            );
        let settings = Settings::resolve(Sources {
            file: file(),
            env_url: Some("sqlite://env.db".into()),
            app: app.clone(),
            ..sources()
        })
        .unwrap();
        assert_eq!(settings.database_url.origin, Origin::App);
        let target = settings.database().unwrap();
        assert_eq!(target.url.as_str(), "postgres://app:secret@db/app");
        // The application's options replace the file's: its tables and mode are its own.
        let options = settings.options();
        assert_eq!(options.version_table, "migrate_version");
        assert_eq!(options.history_table, "app_history");
        assert_eq!(options.transaction_mode, TransactionMode::PerMigration);
        assert_eq!(options.lock_timeout, std::time::Duration::from_secs(5));
        assert_eq!(settings.transaction_mode.origin, Origin::App);
        let described = settings.describe();
        assert!(
            described.contains("postgres://app:***@db/app  (from the application)"),
            "{described}"
        );
        assert!(!described.contains("secret"), "{described}");
        assert!(target.to_string().ends_with("(from the application)"));

        let flagged = Settings::resolve(Sources {
            file: file(),
            flag_url: Some("sqlite://flag.db".into()),
            app,
            ..sources()
        })
        .unwrap();
        assert_eq!(flagged.database().unwrap().url.as_str(), "sqlite://flag.db");
        // Without the application's options the file's still count.
        let url_only = Settings::resolve(Sources {
            file: file(),
            app: crate::cli::CliOptions::new().database_url("sqlite://app.db"),
            ..sources()
        })
        .unwrap();
        assert_eq!(url_only.options().version_table, "file_version");
        assert_eq!(url_only.options().transaction_mode, TransactionMode::All);
        assert_eq!(url_only.database().unwrap().url.as_str(), "sqlite://app.db");
    }

    #[test]
    fn relative_sqlite_urls_from_the_file_are_relative_to_the_root() {
        let url = |text: &str, cwd: &str| {
            Settings::resolve(Sources {
                cwd: PathBuf::from(cwd),
                file: file(&format!("database_url = \"{text}\"")),
                ..Sources::default()
            })
            .unwrap()
            .database()
            .unwrap()
            .url
            .as_str()
            .to_owned()
        };
        let cases = [
            ("sqlite://app.db", "sqlite:///project/app.db"),
            ("sqlite:data/app.db", "sqlite:///project/data/app.db"),
            ("app.sqlite3", "sqlite:///project/app.sqlite3"),
            ("file:app.db?mode=ro", "file:/project/app.db?mode=ro"),
            ("sqlite:///abs/app.db", "sqlite:///abs/app.db"),
            ("file:/abs/app.db", "file:/abs/app.db"),
            ("sqlite://:memory:", "sqlite://:memory:"),
            ("postgres://u@h/db", "postgres://u@h/db"),
        ];
        for (text, expected) in cases {
            assert_eq!(url(text, "/project/deep/sub"), expected, "{text}");
        }
        // In the root itself the URL stays as written, so messages stay short.
        assert_eq!(url("sqlite://app.db", "/project"), "sqlite://app.db");
    }

    #[test]
    fn the_file_url_interpolates_variables_from_dotenv() {
        let settings = Settings::resolve(Sources {
            file: file(r#"database_url = "postgres://app:${MIGRATE_TEST_SECRET_X}@db/app""#),
            dotenv: Some((
                PathBuf::from("/project/.env"),
                vec![("MIGRATE_TEST_SECRET_X".into(), "s3cret".into())],
            )),
            ..sources()
        })
        .unwrap();
        let target = settings.database().unwrap();
        assert_eq!(target.url.as_str(), "postgres://app:s3cret@db/app");
        assert!(!target.url.to_string().contains("s3cret"));
        assert!(
            !settings.describe().contains("s3cret"),
            "{}",
            settings.describe()
        );
    }

    #[test]
    fn interpolation_rules() {
        let lookup = |name: &str| (name == "PW").then(|| "p$w".to_owned());
        assert_eq!(interpolate("a${PW}b", lookup).unwrap(), "ap$wb");
        assert_eq!(interpolate("cost $5", lookup).unwrap(), "cost $5");
        assert!(
            interpolate("x${NOPE}", lookup)
                .unwrap_err()
                .contains("`${NOPE}` is not set")
        );
        assert!(
            interpolate("x${PW", lookup)
                .unwrap_err()
                .contains("closing")
        );
        assert!(
            interpolate("${a-b}", lookup)
                .unwrap_err()
                .contains("not a variable name")
        );
    }

    #[test]
    fn unknown_keys_and_modes_are_refused() {
        let bad_mode = Settings::resolve(Sources {
            file: file(r#"transaction_mode = "sometimes""#),
            ..sources()
        });
        assert!(
            bad_mode
                .unwrap_err()
                .to_string()
                .contains("transaction_mode")
        );
        let path = Path::new("/p/migrate.toml");
        let err = FileConfig::parse("migration = \"x\"", path).unwrap_err();
        assert!(
            err.to_string().contains("unknown field `migration`"),
            "{err}"
        );
        assert!(err.is_input_error());
        assert!(
            parse_mode("sometimes")
                .unwrap_err()
                .contains("per-migration")
        );
    }
}
