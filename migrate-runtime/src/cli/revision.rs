//! `revision -m MESSAGE`: write a new migration file from the template, revising the current
//! head. Also the file-writing steps `merge` shares.
//!
//! The heads come from the migrations compiled into this binary; a file written since the
//! last build is not among them, so the command refuses while the folder holds files the
//! binary does not know (rebuilding, as `cargo xtask migrate` does, fixes it).

use std::collections::HashSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;

use super::config::Settings;
use super::template::{self, NewRevision};
use super::{Session, Status};
use crate::migration::CompiledFolder;
use crate::{Error, MigrationSet, Result, RevisionId};

/// Arguments of `revision`.
#[derive(Debug, Clone, Args)]
pub struct RevisionArgs {
    /// The message: the file's doc comment, the revision's message and its file name.
    #[arg(short, long, value_parser = template::message_arg)]
    pub message: String,
    /// Use this id instead of a fresh random 12-hex one.
    #[arg(long, value_name = "ID")]
    pub rev_id: Option<String>,
    /// The revision to build on: a head, `label@head`, or `base` for a new root. Required
    /// when the graph has several heads.
    #[arg(long, value_name = "REV", allow_hyphen_values = true)]
    pub head: Option<String>,
    /// A branch label for the new revision (repeatable).
    #[arg(long, value_name = "LABEL")]
    pub branch_label: Vec<String>,
    /// A revision that must be applied first without being a parent (repeatable).
    #[arg(long, value_name = "REV")]
    pub depends_on: Vec<String>,
    /// Allow `--head` to name a revision that is not a head, starting a new branch there.
    #[arg(long)]
    pub splice: bool,
    /// Write no downgrade: the revision cannot be reverted.
    #[arg(long)]
    pub irreversible: bool,
}

impl RevisionArgs {
    pub(crate) fn run(self, session: &Session) -> Result<Status> {
        let set = session.set();
        let settings = session.settings()?;
        let folder = Folder::open(settings, set)?;
        if self.head.is_none() {
            folder.refuse_unbuilt(", or pass --head")?;
        }
        let revises = parents(set, self.head.as_deref(), self.splice, &folder.local)?;
        if self.head.is_none() {
            let others: Vec<&RevisionId> = set
                .graph()
                .heads()
                .into_iter()
                .filter(|head| !revises.contains(head))
                .collect();
            if !others.is_empty() {
                outln!(
                    "building on {}, the head of the migrations in `{}`; the other {} ({}) {} \
                     outside it (pass --head to build on one of them)",
                    super::format::join(&revises),
                    settings.display_path(&folder.path),
                    if others.len() == 1 { "head" } else { "heads" },
                    super::format::join(&others),
                    if others.len() == 1 { "is" } else { "are" },
                );
            }
        }
        let mut depends_on = Vec::new();
        for target in &self.depends_on {
            for id in set.graph().resolve(target)? {
                if !depends_on.contains(&id) {
                    depends_on.push(id);
                }
            }
        }
        let revision = NewRevision {
            id: folder.new_id(self.rev_id.as_deref())?,
            message: template::one_line(&self.message),
            external: folder.external(revises.iter().chain(&depends_on)),
            revises,
            depends_on,
            branch_labels: labels(set, &self.branch_label)?,
            irreversible: self.irreversible,
            transactional: true,
            upgrade_sql: None,
            downgrade_sql: None,
        };
        folder.write(settings, &revision)?;
        Ok(Status::Success)
    }
}

/// The parents of a new revision built on `head`. `None` means the single head, or, when
/// the graph has several, the single one among `local` (the ids of the migrations folder the
/// file goes to): the other heads then belong to other folders, another crate's say.
pub(crate) fn parents(
    set: &MigrationSet,
    head: Option<&str>,
    splice: bool,
    local: &HashSet<String>,
) -> Result<Vec<RevisionId>> {
    let graph = set.graph();
    let heads: Vec<RevisionId> = graph.heads().into_iter().cloned().collect();
    let Some(head) = head else {
        if heads.len() <= 1 {
            return Ok(heads);
        }
        let mine: Vec<RevisionId> = heads
            .iter()
            .filter(|h| local.contains(h.as_str()))
            .cloned()
            .collect();
        return match mine.len() {
            1 => Ok(mine),
            _ => Err(Error::MultipleHeads { heads }),
        };
    };
    let ids = graph.resolve(head)?;
    if ids.len() > 1 {
        return Err(Error::MultipleHeads { heads: ids });
    }
    if let Some(id) = ids.first()
        && !splice
        && !heads.contains(id)
    {
        return Err(Error::Refused(format!(
            "`{id}` is not a head (revised by {}); pass --splice to start a new branch from it, \
             or build on a head ({})",
            super::format::join(graph.children(id.as_str())),
            super::format::join(&heads)
        )));
    }
    Ok(ids)
}

/// Validates new branch labels against the graph's ids and labels.
pub(crate) fn labels(set: &MigrationSet, labels: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for label in labels {
        let valid = !label.is_empty()
            && label
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid {
            return Err(Error::Refused(format!(
                "branch label `{label}` must be ASCII letters, digits, `_` or `-`"
            )));
        }
        if let Some(owner) = set.graph().labelled(label) {
            return Err(Error::Refused(format!(
                "branch label `{label}` is already used by `{owner}`"
            )));
        }
        if set.get(label).is_some() {
            return Err(Error::Refused(format!(
                "branch label `{label}` is a revision id"
            )));
        }
        if !out.contains(label) {
            out.push(label.clone());
        }
    }
    Ok(out)
}

/// What to do about files of the migrations folder that the binary was built without.
pub(crate) const UNBUILT_FIX: &str = "rebuild first (`cargo xtask migrate ...` does); if a \
     rebuild does not pick a new file up, the crate holding `migrations!` needs a `build.rs` \
     with `println!(\"cargo::rerun-if-changed=src/migrations\");` (its migrations folder)";

/// Whether the file `name` is `<id>.rs` or `<id>_<slug>.rs` for one of the `known` ids.
fn names_known(name: &str, known: &HashSet<String>) -> bool {
    let stem = name.strip_suffix(".rs").unwrap_or(name);
    known.contains(stem)
        || stem
            .match_indices('_')
            .any(|(at, _)| known.contains(&stem[..at]))
}

/// The names of the files `migrations!` compiled into the binary from the folder at `path`:
/// those of the compiled folder at that place when there is one, else those of every
/// compiled folder, by name (the binary may have been built from another copy of the
/// folder, on another machine; a migration's file name starts with its revision id, unique
/// in the graph).
/// Also says whether the list is that of the folder at `path`, which is then exact.
fn compiled_files(set: &MigrationSet, path: &Path) -> (HashSet<&'static str>, bool) {
    let here = path.canonicalize().ok();
    let folders = set.compiled_folders();
    let same: Vec<&CompiledFolder> = folders
        .iter()
        .filter(|f| here.as_deref() == Some(Path::new(f.dir)))
        .collect();
    let exact = !same.is_empty();
    let chosen = if exact {
        same
    } else {
        folders.iter().collect()
    };
    (chosen.into_iter().flat_map(|f| f.files()).collect(), exact)
}

/// Whether the folder's file `name` is one the binary was built without: no migration
/// comes from it (`built`, by file name) and `migrations!` compiled no file of that name
/// (`compiled`). Unless that list is the folder's own (`exact`: the binary was built from
/// this folder), a file named after a compiled revision (`known`) is also taken as built:
/// that revision's alternative under another `#[cfg]`, in a folder whose migrations are
/// declared one by one, or compiled from another copy of it.
fn is_unbuilt(
    name: &str,
    compiled: &HashSet<&str>,
    exact: bool,
    built: &HashSet<&str>,
    known: &HashSet<String>,
) -> bool {
    !compiled.contains(name) && !built.contains(name) && (exact || !names_known(name, known))
}

/// Whether the Rust source `text` holds a `#[migration]` attribute outside comments and
/// literals: under that name, as a path ending in it (`#[migrate_runtime::migration(...)]`),
/// or under the name a `use ... migration as NAME` gives it. A file holding none is a helper
/// module, not a migration the binary lacks.
pub(crate) fn declares_migration(text: &str) -> bool {
    let code = code_only(text);
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut names = vec!["migration"];
    for (at, found) in code.match_indices("migration as ") {
        if code[..at].ends_with(ident) {
            continue;
        }
        let rest = code[at + found.len()..].trim_start();
        let end = rest.find(|c: char| !ident(c)).unwrap_or(rest.len());
        if end > 0 {
            names.push(&rest[..end]);
        }
    }
    code.match_indices('#').any(|(at, _)| {
        let Some(rest) = code[at + 1..].trim_start().strip_prefix('[') else {
            return false;
        };
        let rest = rest.trim_start();
        let end = rest
            .find(|c: char| !ident(c) && c != ':' && !c.is_whitespace())
            .unwrap_or(rest.len());
        let path: String = rest[..end].split_whitespace().collect();
        names.contains(&path.rsplit("::").next().unwrap_or(""))
    })
}

/// `text` with its comments, string and character literals blanked out (so that neither a
/// doc comment's example nor a `"/*"` in a string is taken for code).
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut depth = 1;
                while depth > 0 {
                    match chars.next() {
                        Some('*') if chars.peek() == Some(&'/') => {
                            chars.next();
                            depth -= 1;
                        }
                        Some('/') if chars.peek() == Some(&'*') => {
                            chars.next();
                            depth += 1;
                        }
                        Some(_) => {}
                        None => break,
                    }
                }
                out.push(' ');
            }
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
                out.push_str("\"\"");
            }
            // A character literal (`'"'`, `'\''`); a lifetime's quote stays.
            '\'' => {
                let mut ahead = chars.clone();
                match (ahead.next(), ahead.next()) {
                    (Some('\\'), _) => {
                        chars.next();
                        chars.next();
                        for c in chars.by_ref() {
                            if c == '\'' {
                                break;
                            }
                        }
                        out.push_str("' '");
                    }
                    (Some(_), Some('\'')) => {
                        chars.next();
                        chars.next();
                        out.push_str("' '");
                    }
                    _ => out.push(c),
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// The migrations folder as the authoring commands see it: its files, and which of them the
/// running binary was built with.
pub(crate) struct Folder {
    path: PathBuf,
    /// The `*.rs` file names in the folder (not `mod.rs`).
    files: Vec<String>,
    /// Those the binary was built without: `migrations!` compiled no file of that name.
    unbuilt: Vec<String>,
    /// Ids compiled into the binary.
    known: HashSet<String>,
    /// Ids compiled into the binary from files in this folder: the migrations a new file's
    /// compile-time check sees.
    pub(crate) local: HashSet<String>,
}

impl Folder {
    /// Lists the configured migrations folder.
    pub(crate) fn open<'a>(settings: &Settings, set: &'a MigrationSet) -> Result<Self> {
        let path = settings.migrations.value.clone();
        if !path.is_dir() {
            return Err(Error::Refused(format!(
                "the migrations folder `{}` does not exist ({}); run `init` to create it, or set \
                 `migrations` in migrate.toml",
                settings.display_path(&path),
                settings.migrations.origin
            )));
        }
        let entries = std::fs::read_dir(&path).map_err(|source| Error::Io {
            action: "list",
            path: path.display().to_string(),
            source,
        })?;
        // What `migrations!` compiles: the folder's `*.rs` files, not its subfolders.
        let mut files: Vec<String> = entries
            .filter_map(|entry| entry.ok())
            .filter(|entry| entry.path().is_file())
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".rs") && name != "mod.rs")
            .collect();
        files.sort();
        // By file name: the binary may have been built from another copy of the folder, and
        // a revision id, which file names start with, is unique in the graph.
        let file_name = |m: &'a crate::Migration| {
            let source = m.source()?;
            let file = source.rsplit_once(':').map_or(source, |(file, _)| file);
            Path::new(file).file_name()?.to_str()
        };
        let built: HashSet<&str> = set.migrations().iter().filter_map(file_name).collect();
        let local = set
            .migrations()
            .iter()
            .filter(|m| file_name(m).is_some_and(|name| files.iter().any(|f| f == name)))
            .map(|m| m.id().to_string())
            .collect();
        let known: HashSet<String> = set
            .migrations()
            .iter()
            .map(|m| m.id().to_string())
            .collect();
        let (compiled, exact) = compiled_files(set, &path);
        // Only a file declaring a migration is one: a helper module is not (nor, in a folder
        // whose migrations are declared one by one, is it on any list the binary has). One
        // that cannot be read is reported, as it may be.
        let declares = |name: &String| {
            std::fs::read_to_string(path.join(name)).map_or(true, |text| declares_migration(&text))
        };
        let unbuilt = files
            .iter()
            .filter(|name| is_unbuilt(name, &compiled, exact, &built, &known) && declares(name))
            .cloned()
            .collect();
        Ok(Self {
            path,
            files,
            unbuilt,
            known,
            local,
        })
    }

    /// Those of `references` that are not migrations of this folder, in order: a new file
    /// lists them in `external`, so that its compile-time check leaves them to the runtime.
    pub(crate) fn external<'r>(
        &self,
        references: impl IntoIterator<Item = &'r RevisionId>,
    ) -> Vec<RevisionId> {
        let mut out: Vec<RevisionId> = Vec::new();
        for id in references {
            if !self.local.contains(id.as_str()) && !out.contains(id) {
                out.push(id.clone());
            }
        }
        out
    }

    /// Refuses when the folder has files the binary was not built with: their revisions are
    /// unknown here, so "the current head" could be wrong. `alternative` ends the message
    /// with what else the command accepts (`, or pass --head`), or is empty.
    pub(crate) fn refuse_unbuilt(&self, alternative: &str) -> Result<()> {
        if self.unbuilt.is_empty() {
            return Ok(());
        }
        Err(Error::Refused(format!(
            "{}, so the current heads are unknown; {}{alternative}",
            self.describe_unbuilt(),
            UNBUILT_FIX
        )))
    }

    /// ``"`a.rs` in `FOLDER` is not compiled into this binary"`` for the unbuilt files.
    pub(crate) fn describe_unbuilt(&self) -> String {
        format!(
            "{} in `{}` {} not compiled into this binary",
            self.unbuilt
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", "),
            self.path.display(),
            if self.unbuilt.len() == 1 { "is" } else { "are" }
        )
    }

    /// The files of the folder the binary was built without: added since it was built.
    pub(crate) fn unbuilt(&self) -> &[String] {
        &self.unbuilt
    }

    /// Whether `id` names a compiled migration or starts a file name in the folder.
    fn taken(&self, id: &str) -> bool {
        self.known.contains(id)
            || self.files.iter().any(|file| {
                file.strip_prefix(id)
                    .is_some_and(|rest| rest.starts_with('_') || rest == ".rs")
            })
    }

    /// `requested` validated, or a fresh random id.
    pub(crate) fn new_id(&self, requested: Option<&str>) -> Result<RevisionId> {
        if let Some(raw) = requested {
            let id = RevisionId::new(raw).map_err(|error| Error::InvalidId {
                location: "--rev-id".into(),
                error,
            })?;
            if self.taken(id.as_str()) {
                return Err(Error::Refused(format!(
                    "revision id `{id}` is already used in `{}`",
                    self.path.display()
                )));
            }
            return Ok(id);
        }
        // 16 candidates: a collision among 2^48 ids is already unlikely for one.
        let mut random = [0u8; 96];
        getrandom::fill(&mut random).map_err(|err| Error::Io {
            action: "get random bytes for",
            path: "a new revision id".into(),
            source: std::io::Error::other(err.to_string()),
        })?;
        template::fresh_id(&random, |id| self.taken(id))
            .ok_or_else(|| Error::Refused("could not find an unused revision id".into()))
    }

    /// Renders `revision` with the configured template and creates its file, refusing to
    /// overwrite one. Prints the path.
    pub(crate) fn write(&self, settings: &Settings, revision: &NewRevision) -> Result<PathBuf> {
        let text = render(settings, revision)?;
        let path = self.create(settings, &revision.file_name(), &text)?;
        outln!(
            "  revision {}, revises {}",
            revision.id,
            super::format::revisions_or_base(&revision.revises)
        );
        Ok(path)
    }

    /// Creates the folder's file `name` holding `text`, refusing to overwrite one. Prints
    /// the path.
    pub(crate) fn create(&self, settings: &Settings, name: &str, text: &str) -> Result<PathBuf> {
        let path = self.path.join(name);
        let shown = settings.display_path(&path);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|source| {
                if source.kind() == std::io::ErrorKind::AlreadyExists {
                    Error::FileExists {
                        path: shown.clone(),
                    }
                } else {
                    Error::Io {
                        action: "create",
                        path: shown.clone(),
                        source,
                    }
                }
            })?;
        file.write_all(text.as_bytes())
            .map_err(|source| Error::Io {
                action: "write",
                path: shown.clone(),
                source,
            })?;
        outln!("created {shown}");
        Ok(path)
    }

    /// The folder.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The `*.rs` file names in the folder (not `mod.rs`), sorted.
    pub(crate) fn files(&self) -> &[String] {
        &self.files
    }
}

/// `revision` rendered with the configured template (`template` in migrate.toml, else the
/// built-in one).
pub(crate) fn render(settings: &Settings, revision: &NewRevision) -> Result<String> {
    let (template, template_name) = match &settings.template.value {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|err| Error::Template {
                path: settings.display_path(path),
                reason: format!("cannot read it: {err}"),
            })?;
            (text, settings.display_path(path))
        }
        None => (template::BUILT_IN.to_owned(), "built-in".to_owned()),
    };
    revision
        .render(&template)
        .map_err(|reason| Error::Template {
            path: template_name,
            reason,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Migration, MigrationFn};

    fn set(edges: &[(&str, &[&str])]) -> MigrationSet {
        let id = |s: &str| RevisionId::new(s).unwrap();
        MigrationSet::new(
            edges
                .iter()
                .map(|(rev, parents)| {
                    Migration::new(id(rev), MigrationFn::new(|_| Ok(())))
                        .with_revises(parents.iter().map(|p| id(p)))
                })
                .collect(),
        )
        .unwrap()
    }

    fn local(ids: &[&str]) -> HashSet<String> {
        ids.iter().map(|id| id.to_string()).collect()
    }

    #[test]
    fn compiled_files_come_from_the_folder_at_that_place_else_from_every_folder() {
        let root = tempfile::tempdir().unwrap();
        let (app, copy) = (root.path().join("app"), root.path().join("copy"));
        std::fs::create_dir(&app).unwrap();
        std::fs::create_dir(&copy).unwrap();
        let leak = |path: &Path| -> &'static str {
            path.canonicalize()
                .unwrap()
                .to_string_lossy()
                .into_owned()
                .leak()
        };
        // The app's folder, one of its migrations under a `#[cfg]` registered apart, and a
        // library's folder with a helper of the same name as one the app's folder lacks.
        let set = set(&[]).with_compiled_folders(&[
            (leak(&app), "0001_a.rs/helpers.rs"),
            (leak(&app), ""),
            ("/library/src/migrations", "0001_lib.rs/shared.rs"),
        ]);
        let (here, exact) = compiled_files(&set, &app);
        assert!(exact);
        let mut here: Vec<_> = here.into_iter().collect();
        here.sort();
        assert_eq!(here, ["0001_a.rs", "helpers.rs"]);
        // A copy of the folder, or a binary built elsewhere: by name, from every folder.
        let (copied, exact) = compiled_files(&set, &copy);
        assert!(!exact);
        let mut copied: Vec<_> = copied.into_iter().collect();
        copied.sort();
        assert_eq!(
            copied,
            ["0001_a.rs", "0001_lib.rs", "helpers.rs", "shared.rs"]
        );
        assert!(compiled_files(&self::set(&[]), &app).0.is_empty());
    }

    #[test]
    fn a_file_declares_a_migration_only_with_the_attribute_in_its_code() {
        let migration = "use migrate_runtime::prelude::*;\n\
            #[migration(revision = \"0004_new\", irreversible)]\n\
            fn up(ctx: &mut MigrationContext<'_>) -> Result<()> { ctx.execute(\"SELECT 1\") }\n";
        assert!(declares_migration(migration));
        assert!(declares_migration(
            "#[cfg(feature = \"postgres\")]\n# [ migrate_runtime :: migration(revision = \"a\")]\nfn a() {}"
        ));
        assert!(declares_migration(
            "use migrate_runtime::{prelude::*, migration as m};\n#[m(revision = \"a\")]\nfn a() {}"
        ));
        // Helpers: no such attribute, or only in comments, strings and other attributes.
        assert!(!declares_migration(
            "//! Shared by the migrations; declares none.\npub(crate) const USERS: &str = \"users\";\n"
        ));
        assert!(!declares_migration(
            "/// Use it in a `#[migration]` function:\n/// ```\n/// #[migration(revision = \"x\")]\n\
             /// ```\n/* #[migration(revision = \"y\")] /* nested */ */\n\
             pub fn sql() -> &'static str { \"#[migration(revision = \\\"z\\\")] /*\" }\n\
             const Q: char = '\"'; #[allow(dead_code)] fn my_migration() {}\n"
        ));
        assert!(!declares_migration(
            "use crate::my_migration as helper;\n#[helper] fn f() {}"
        ));
    }

    #[test]
    fn a_cfg_alternative_in_a_folder_no_migrations_compiled_is_not_unbuilt() {
        let known: HashSet<String> = ["0003_fts".to_owned()].into();
        let built: HashSet<&str> = ["0003_fts_postgres.rs"].into();
        // A library's `migrations!` folder elsewhere; this folder's migrations are declared
        // one by one: the sibling under another `#[cfg]` is built, a new file is not.
        let library: HashSet<&str> = ["0001_lib.rs", "helpers.rs"].into();
        assert!(!is_unbuilt(
            "0003_fts_mysql.rs",
            &library,
            false,
            &built,
            &known
        ));
        assert!(is_unbuilt("0004_new.rs", &library, false, &built, &known));
        // The folder's own list is exact: only what it names is built.
        let own: HashSet<&str> = ["0003_fts_postgres.rs", "helpers.rs"].into();
        assert!(is_unbuilt("0003_fts_mysql.rs", &own, true, &built, &known));
        assert!(!is_unbuilt("helpers.rs", &own, true, &built, &known));
        // No list at all: by migrations and names alone.
        let none = HashSet::new();
        assert!(!is_unbuilt(
            "0003_fts_mysql.rs",
            &none,
            false,
            &built,
            &known
        ));
        assert!(is_unbuilt("0004_new.rs", &none, false, &built, &known));
    }

    #[test]
    fn parents_follow_the_single_head_or_refuse() {
        let none = local(&[]);
        let empty = set(&[]);
        assert!(parents(&empty, None, false, &none).unwrap().is_empty());
        let chain = set(&[("a1", &[]), ("b2", &["a1"])]);
        assert_eq!(parents(&chain, None, false, &none).unwrap(), ["b2"]);
        assert!(
            parents(&chain, Some("base"), false, &none)
                .unwrap()
                .is_empty()
        );
        let err = parents(&chain, Some("a1"), false, &none).unwrap_err();
        assert!(err.to_string().contains("`a1` is not a head"), "{err}");
        assert_eq!(parents(&chain, Some("a1"), true, &none).unwrap(), ["a1"]);

        let forked = set(&[("a1", &[]), ("b2", &["a1"]), ("c3", &["a1"])]);
        let err = parents(&forked, None, false, &local(&["a1", "b2", "c3"])).unwrap_err();
        assert!(matches!(err, Error::MultipleHeads { ref heads } if heads.len() == 2));
        assert!(
            err.to_string()
                .starts_with("the revision graph has 2 heads (b2, c3); pass `--head`"),
            "{err}"
        );
        assert_eq!(parents(&forked, Some("c3"), false, &none).unwrap(), ["c3"]);
        assert!(parents(&forked, Some("zz"), false, &none).is_err());
    }

    #[test]
    fn several_heads_leave_the_one_of_this_folder() {
        // Two crates, each its own line: the app's folder holds a1 and b2, a library's x1.
        let lines = set(&[("a1", &[]), ("b2", &["a1"]), ("x1", &[])]);
        let app = local(&["a1", "b2"]);
        assert_eq!(parents(&lines, None, false, &app).unwrap(), ["b2"]);
        assert_eq!(
            parents(&lines, None, false, &local(&["x1"])).unwrap(),
            ["x1"]
        );
        // A folder holding no head, or both, cannot choose.
        for folder in [local(&["a1"]), local(&["a1", "b2", "x1"])] {
            let err = parents(&lines, None, false, &folder).unwrap_err();
            assert!(matches!(err, Error::MultipleHeads { ref heads } if heads.len() == 2));
        }
        // --head still wins.
        assert_eq!(parents(&lines, Some("x1"), false, &app).unwrap(), ["x1"]);
    }

    #[test]
    fn labels_must_be_new_and_well_formed() {
        let chain = set(&[("a1", &[]), ("b2", &["a1"])]);
        assert_eq!(labels(&chain, &["x".into(), "x".into()]).unwrap(), ["x"]);
        assert!(labels(&chain, &["a1".into()]).is_err());
        assert!(labels(&chain, &["has space".into()]).is_err());
    }
}
