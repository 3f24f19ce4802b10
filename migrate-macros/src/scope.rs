//! The scopes of the chain checks, cached once per compiler process: the folders collected by
//! `migrations!` and single files, each with the scans of its files, its revision graph and
//! `migrate_core::check`'s findings grouped by declaration.
//!
//! An attribute expansion sees only its own item, so the chain checks read the neighbours from
//! disk. Listing, scanning and checking the scope in each of N expansions would cost O(N) each,
//! O(N²) for the crate; instead the scope is built once and each expansion looks up its own
//! findings. rust-analyzer keeps the proc-macro process alive across edits, so a scope is
//! rebuilt from the files whose modification time or length changed, found this way:
//!
//! - each attribute expansion stats its own file and its folder, whose modification time moves
//!   when a file is added, removed or replaced by a rename (as editors and git save);
//! - `migrations!` stats every file of its folder, and so does the first attribute expansion
//!   more than [`REVALIDATE_AFTER`] after the last full check, which bounds how long an
//!   in-place edit of another file can go unnoticed. A compiler run expands the whole folder
//!   well within that, so it stats each file about once.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use migrate_core::{GraphError, Revision, RevisionId};

use crate::scan::{self, Decl, FileScan};

/// How long a folder's listing is trusted without re-statting all its files.
const REVALIDATE_AFTER: Duration = Duration::from_secs(1);

/// What identifies a version of a file (or folder) for the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Self {
        Stamp {
            modified: meta.modified().ok(),
            len: meta.len(),
        }
    }

    fn read(path: &Path) -> Option<Self> {
        std::fs::metadata(path).ok().map(|meta| Self::of(&meta))
    }
}

/// One file of a scope.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The file, canonical when its folder is.
    pub path: PathBuf,
    stamp: Stamp,
    /// `None` when the file cannot be read or does not parse (rustc reports that itself).
    pub scan: Option<Arc<FileScan>>,
}

impl Listed {
    fn read(path: PathBuf, stamp: Stamp) -> Self {
        Self::read_all(vec![(path, stamp)])
            .pop()
            .expect("one file in, one out")
    }

    /// [`Listed::read`] for each file, scanned in parallel ([`scan::scan_files`]).
    fn read_all(files: Vec<(PathBuf, Stamp)>) -> Vec<Self> {
        let paths: Vec<&Path> = files.iter().map(|(path, _)| path.as_path()).collect();
        let scans = scan::scan_files(&paths);
        files
            .into_iter()
            .zip(scans)
            .map(|((path, stamp), scan)| Listed {
                path,
                stamp,
                scan: scan.map(Arc::new),
            })
            .collect()
    }
}

/// Where a declaration sits in its scope's graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// Its node when `valid`, else how many nodes come before it.
    pub node: usize,
    /// Whether its id is valid, so that it is a node of the graph.
    pub valid: bool,
}

/// A scope: its files, and the revision graph their declarations with a valid id form, in
/// file and then source order.
#[derive(Debug)]
pub struct Graph {
    /// The files, sorted by path.
    pub files: Vec<Listed>,
    /// Names the scope in "unknown revision" messages.
    pub description: String,
    /// Whether the scope is a folder collected by `migrations!` (else a single file).
    pub collected: bool,
    /// The graph's nodes, as `migrate_core::check` numbers them.
    pub revs: Vec<Revision>,
    /// For each node, its file and declaration within that file's scan.
    nodes: Vec<(usize, usize)>,
    /// For each file, the place of each of its declarations.
    places: Vec<Vec<Place>>,
    /// What `migrate_core::check` found.
    findings: Vec<GraphError>,
    /// For each node, the findings that name it, in order.
    concerning: Vec<Vec<usize>>,
    /// ``"file.rs:12"`` for each `#[migration` attribute the scans could not read (see
    /// [`FileScan::unread`]), in file order.
    pub unread: Vec<String>,
}

impl Graph {
    fn build(files: Vec<Listed>, description: String, collected: bool) -> Self {
        let ids = |list: &[String]| -> Vec<RevisionId> {
            list.iter()
                .filter_map(|s| RevisionId::new(s).ok())
                .collect()
        };
        let mut revs = Vec::new();
        let mut nodes = Vec::new();
        let mut places = Vec::with_capacity(files.len());
        for (f, listed) in files.iter().enumerate() {
            let decls = listed.scan.as_ref().map_or(&[][..], |s| &s.migrations[..]);
            let mut file_places = Vec::with_capacity(decls.len());
            for (d, decl) in decls.iter().enumerate() {
                let id = decl
                    .revision
                    .as_deref()
                    .and_then(|s| RevisionId::new(s).ok());
                file_places.push(Place {
                    node: revs.len(),
                    valid: id.is_some(),
                });
                let Some(id) = id else { continue };
                nodes.push((f, d));
                revs.push(Revision {
                    id,
                    down_revisions: ids(&decl.revises),
                    depends_on: ids(&decl.depends_on),
                    branch_labels: decl.branch_labels.clone(),
                });
            }
            places.push(file_places);
        }
        let unread = files
            .iter()
            .filter_map(|listed| Some((listed, listed.scan.as_ref()?)))
            .flat_map(|(listed, scan)| {
                let name = display_name(&listed.path);
                scan.unread.iter().map(move |line| format!("{name}:{line}"))
            })
            .collect();
        let findings = migrate_core::check(&revs);
        let mut concerning = vec![Vec::new(); revs.len()];
        for (i, finding) in findings.iter().enumerate() {
            for node in named_by(finding) {
                // A cycle through one node twice would name it twice; report it once.
                if concerning[node].last() != Some(&i) {
                    concerning[node].push(i);
                }
            }
        }
        Graph {
            files,
            description,
            collected,
            revs,
            nodes,
            places,
            findings,
            concerning,
            unread,
        }
    }

    /// The index of `path` among the files.
    pub fn file_index(&self, path: &Path) -> Option<usize> {
        self.files
            .binary_search_by(|listed| listed.path.as_path().cmp(path))
            .ok()
    }

    /// Where declaration `decl` of file `file` sits in the graph.
    pub fn place(&self, file: usize, decl: usize) -> Place {
        self.places[file][decl]
    }

    /// The findings that name `node`, in `migrate_core::check`'s order.
    pub fn findings_of(&self, node: usize) -> impl Iterator<Item = &GraphError> {
        self.concerning[node].iter().map(|&i| &self.findings[i])
    }

    /// The declaration of `node`.
    fn decl(&self, node: usize) -> (&Listed, &Decl) {
        let (file, decl) = self.nodes[node];
        let listed = &self.files[file];
        let scan = listed
            .scan
            .as_ref()
            .expect("a node comes from a scanned file");
        (listed, &scan.migrations[decl])
    }

    /// The `#[cfg(...)]` attributes `node` is compiled under: its file's and its own.
    /// Those of an inline module around it are not scanned, so a duplicate there may be
    /// reported in a build that leaves the module out.
    pub fn conditions(&self, node: usize) -> Vec<String> {
        let (listed, decl) = self.decl(node);
        let file = listed
            .scan
            .as_deref()
            .map_or(&[][..], |scan| &scan.cfgs[..]);
        file.iter().chain(&decl.cfgs).cloned().collect()
    }

    /// ``"`fn name` at file.rs:12"`` for `node`.
    pub fn describe(&self, node: usize) -> String {
        let (listed, decl) = self.decl(node);
        format!(
            "`fn {}` at {}:{}",
            decl.fn_name,
            display_name(&listed.path),
            decl.line
        )
    }
}

/// The nodes a finding is about: those whose expansion may report it.
fn named_by(finding: &GraphError) -> Vec<usize> {
    match finding {
        GraphError::DuplicateRevision { first, second, .. }
        | GraphError::CaseClash { first, second }
        | GraphError::DuplicateBranchLabel { first, second, .. } => vec![*first, *second],
        GraphError::UnknownRevision { from, .. } | GraphError::RepeatedReference { from, .. } => {
            vec![*from]
        }
        GraphError::Cycle { members } => members.clone(),
        _ => Vec::new(),
    }
}

/// A file's name, for messages.
pub fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// A cached scope and when its folder was last fully checked.
struct Cached {
    graph: Arc<Graph>,
    /// For folders: the folder's stamp and the time of the last full check.
    checked: Option<(Stamp, Instant)>,
}

#[derive(Default)]
struct Cache {
    /// Folders collected by `migrations!` in this process (canonical paths).
    collected: HashSet<PathBuf>,
    /// Their scopes, once built.
    folders: HashMap<PathBuf, Cached>,
    /// Scopes of files outside any collected folder.
    files: HashMap<PathBuf, Cached>,
}

fn cache() -> MutexGuard<'static, Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    // A panic while holding the lock leaves only a cache behind, which stays consistent.
    CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
}

/// Whether `migrations!` includes a file of this name: `*.rs`, `mod.rs` excepted.
fn is_migration_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "rs") && path.file_name().is_some_and(|n| n != "mod.rs")
}

/// For `migrations!`: the scope of the (canonical) folder `dir`, whose files are its `*.rs`
/// files sorted by name, `mod.rs` excluded. Records the folder as collected and brings its
/// scope up to date.
pub fn collect_folder(dir: &Path) -> std::io::Result<Arc<Graph>> {
    let mut cache = cache();
    let stamp = std::fs::metadata(dir).map(|meta| Stamp::of(&meta))?;
    let graph = refresh_folder(&mut cache, dir, stamp)?;
    cache.collected.insert(dir.to_owned());
    Ok(graph)
}

/// The folder collected by `migrations!` that directly holds `file`, if any.
#[cfg(test)]
pub fn collected_folder_of(file: &Path) -> Option<PathBuf> {
    let dir = file.parent()?;
    cache().collected.contains(dir).then(|| dir.to_owned())
}

/// The scope of the migrations in `file` (absolute and canonical), up to date with the disk,
/// and the index of `file` among its files (`None` when it is not one of them).
pub fn of_file(file: &Path) -> (Arc<Graph>, Option<usize>) {
    let mut cache = cache();
    if let Some(dir) = file.parent().filter(|dir| cache.collected.contains(*dir))
        && let Some(found) = folder_scope(&mut cache, dir, file)
    {
        return found;
    }
    // Not collected, or the folder cannot be listed any more: the file alone.
    let stamp = Stamp::read(file);
    if let Some(stamp) = stamp
        && let Some(cached) = cache.files.get(file)
        && cached.graph.files.first().is_some_and(|f| f.stamp == stamp)
    {
        return (Arc::clone(&cached.graph), Some(0));
    }
    let files: Vec<Listed> = stamp
        .map(|stamp| Listed::read(file.to_owned(), stamp))
        .into_iter()
        .collect();
    let index = (!files.is_empty()).then_some(0);
    let graph = Arc::new(Graph::build(files, "this file".into(), false));
    cache.files.insert(
        file.to_owned(),
        Cached {
            graph: Arc::clone(&graph),
            checked: None,
        },
    );
    (graph, index)
}

/// The scope of the collected folder `dir` for an expansion in `file`; `None` when the folder
/// cannot be listed.
fn folder_scope(cache: &mut Cache, dir: &Path, file: &Path) -> Option<(Arc<Graph>, Option<usize>)> {
    let Some(dir_stamp) = Stamp::read(dir) else {
        cache.folders.remove(dir);
        return None;
    };
    let own_stamp = Stamp::read(file);
    let mut fully_checked = false;
    let mut graph = match cache.folders.get(dir) {
        Some(Cached {
            graph,
            checked: Some((stamp, at)),
        }) if *stamp == dir_stamp && at.elapsed() < REVALIDATE_AFTER => Arc::clone(graph),
        _ => {
            fully_checked = true;
            refresh_folder(cache, dir, dir_stamp).ok()?
        }
    };
    let mut index = graph.file_index(file);
    let stale = match index {
        Some(i) => Some(graph.files[i].stamp) != own_stamp,
        // Absent from a listing that may be old: perhaps a new file.
        None => is_migration_file(file),
    };
    if stale && !fully_checked {
        graph = match (index, own_stamp) {
            // Only the expanding file changed since the listing was checked.
            (Some(i), Some(stamp)) => {
                let mut files = graph.files.clone();
                files[i] = Listed::read(file.to_owned(), stamp);
                let graph = Arc::new(Graph::build(files, graph.description.clone(), true));
                if let Some(cached) = cache.folders.get_mut(dir) {
                    cached.graph = Arc::clone(&graph);
                }
                graph
            }
            _ => refresh_folder(cache, dir, dir_stamp).ok()?,
        };
        index = graph.file_index(file);
    }
    Some((graph, index))
}

/// Lists `dir` and stats every file, rescans those that changed since the cached scope and
/// rebuilds the scope when anything did.
fn refresh_folder(cache: &mut Cache, dir: &Path, dir_stamp: Stamp) -> std::io::Result<Arc<Graph>> {
    let mut listing = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if !is_migration_file(&path) {
            continue;
        }
        // Follows symbolic links, as the compiler does when it opens the module.
        if let Ok(meta) = std::fs::metadata(&path)
            && meta.is_file()
        {
            listing.push((path, Stamp::of(&meta)));
        }
    }
    listing.sort_unstable_by(|a, b| a.0.cmp(&b.0));

    let old = cache
        .folders
        .get(dir)
        .map(|cached| Arc::clone(&cached.graph));
    let unchanged = old.as_ref().is_some_and(|old| {
        old.files.len() == listing.len()
            && old
                .files
                .iter()
                .zip(&listing)
                .all(|(f, (path, stamp))| f.path == *path && f.stamp == *stamp)
    });
    let graph = match old {
        Some(old) if unchanged => old,
        old => {
            // The files unchanged since the cached scope keep their scans; the others are
            // scanned together, and take their places in the listing's order.
            let mut files: Vec<Option<Listed>> = Vec::with_capacity(listing.len());
            let mut to_read = Vec::new();
            for (path, stamp) in listing {
                let kept = old.as_ref().and_then(|old| {
                    let f = &old.files[old.file_index(&path)?];
                    (f.stamp == stamp).then(|| f.clone())
                });
                if kept.is_none() {
                    to_read.push((files.len(), (path, stamp)));
                }
                files.push(kept);
            }
            let (places, reads): (Vec<usize>, Vec<_>) = to_read.into_iter().unzip();
            for (place, listed) in places.into_iter().zip(Listed::read_all(reads)) {
                files[place] = Some(listed);
            }
            let files = files
                .into_iter()
                .map(|f| f.expect("kept or read"))
                .collect();
            let description = format!("the folder `{}`", display_name(dir));
            Arc::new(Graph::build(files, description, true))
        }
    };
    cache.folders.insert(
        dir.to_owned(),
        Cached {
            graph: Arc::clone(&graph),
            checked: Some((dir_stamp, Instant::now())),
        },
    );
    Ok(graph)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = r#"
#[migration(revision = "a", irreversible)]
fn first(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }

#[migration(revision = "bad-id", revises = "a", irreversible)]
fn invalid(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }

#[migration(revision = "b", revises = ["a", "nowhere"], irreversible)]
fn second(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
"#;

    #[test]
    fn a_file_scope_follows_file_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.rs");
        std::fs::write(&path, SRC).unwrap();
        let (graph, index) = of_file(&path);
        assert_eq!(index, Some(0));
        assert_eq!(graph.description, "this file");
        assert_eq!(graph.revs.len(), 2);
        // The invalid id is no node; the next declaration is node 1.
        assert_eq!(
            graph.place(0, 1),
            Place {
                node: 1,
                valid: false
            }
        );
        assert_eq!(
            graph.place(0, 2),
            Place {
                node: 1,
                valid: true
            }
        );
        let unknown: Vec<_> = graph.findings_of(1).collect();
        assert!(
            matches!(
                unknown[..],
                [GraphError::UnknownRevision { position: 1, .. }]
            ),
            "{unknown:?}"
        );
        assert_eq!(graph.findings_of(0).count(), 0);
        assert_eq!(graph.describe(1), "`fn second` at m.rs:9");

        std::fs::write(&path, "#[migration(revision = \"z\")] fn only() {}").unwrap();
        let (graph, _) = of_file(&path);
        assert_eq!(graph.revs.len(), 1);
        std::fs::write(&path, "fn (").unwrap();
        let (graph, index) = of_file(&path);
        assert_eq!(index, Some(0));
        assert!(graph.files[0].scan.is_none());
    }

    #[test]
    fn lists_migration_files_sorted_without_mod_rs() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path().canonicalize().unwrap();
        for name in ["b.rs", "a.rs", "mod.rs", "notes.md"] {
            std::fs::write(dir.join(name), "").unwrap();
        }
        std::fs::create_dir(dir.join("sub.rs")).unwrap();
        let names = |graph: Arc<Graph>| -> Vec<String> {
            graph.files.iter().map(|f| display_name(&f.path)).collect()
        };
        assert_eq!(names(collect_folder(&dir).unwrap()), ["a.rs", "b.rs"]);
        std::fs::write(dir.join("c.rs"), "").unwrap();
        assert_eq!(
            names(collect_folder(&dir).unwrap()),
            ["a.rs", "b.rs", "c.rs"]
        );
    }

    #[test]
    fn a_folder_scope_sees_changes_of_the_expanding_file_and_new_files() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path().canonicalize().unwrap();
        let first = dir.join("0001.rs");
        std::fs::write(&first, "#[migration(revision = \"a\")] fn a() {}").unwrap();
        collect_folder(&dir).unwrap();
        let (graph, index) = of_file(&first);
        assert_eq!((graph.revs.len(), index), (1, Some(0)));

        // A new file: found without waiting for the next full check, since the folder's own
        // modification time moved (or, on a coarse clock, since it is absent from the listing).
        let second = dir.join("0002.rs");
        std::fs::write(
            &second,
            "#[migration(revision = \"b\", revises = \"x\")] fn b() {}",
        )
        .unwrap();
        let (graph, index) = of_file(&second);
        assert_eq!((graph.revs.len(), index), (2, Some(1)));
        assert_eq!(graph.findings_of(1).count(), 1);

        // The expanding file edited in place (its length changes, should the clock be coarse).
        std::fs::write(
            &second,
            "#[migration(revision = \"b\", revises = [\"a\"])] fn b() {}",
        )
        .unwrap();
        let (graph, _) = of_file(&second);
        assert_eq!(graph.findings_of(1).count(), 0);
        assert_eq!(graph.revs[1].down_revisions[0].as_str(), "a");
    }
}
