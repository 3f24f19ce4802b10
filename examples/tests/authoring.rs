//! End-to-end tests of the authoring and inspection commands of the `video-catalog` binary:
//! `config`, `revision`, `merge`, `history` (drawn and as JSON), `heads`, `branches`,
//! `current`, `show`, `completions` and `init`, with every refusal.
//!
//! Each test works in a scratch project: a temporary directory holding a copy of the
//! example's migrations folder, so the binary (built with those migrations) recognises
//! every file, and new files land in the copy rather than in the checkout.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use assert_cmd::assert::Assert;
use tempfile::TempDir;

/// The single head of the example's graph.
const HEAD: &str = "9c3a7e1f5d20";
/// The example's branch point.
const BRANCH_POINT: &str = "0a7e4c2d9b16";

/// A scratch project around a copy of the example's migrations.
struct Project {
    dir: TempDir,
}

impl Project {
    /// A project whose `migrate.toml` holds `config` (plus nothing else), with the example's
    /// migrations copied to `src/migrations`.
    fn new(config: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let migrations = dir.path().join("src/migrations");
        std::fs::create_dir_all(&migrations).unwrap();
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/migrations");
        for entry in std::fs::read_dir(source).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, migrations.join(path.file_name().unwrap())).unwrap();
        }
        std::fs::write(dir.path().join("migrate.toml"), config).unwrap();
        Self { dir }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// The binary, run in the project with no `DATABASE_URL` nor colour.
    fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("video-catalog").unwrap();
        cmd.current_dir(self.dir.path())
            .env_remove("DATABASE_URL")
            .env_remove("NO_COLOR");
        cmd
    }

    fn run(&self, args: &[&str]) -> Assert {
        self.cmd().args(args).assert()
    }

    /// The migration files whose name starts with something other than the example's ids.
    fn new_files(&self) -> Vec<PathBuf> {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/migrations");
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.path("src/migrations"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| !example.join(p.file_name().unwrap()).exists())
            .collect();
        files.sort();
        files
    }
}

fn stdout(assert: &Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

fn stderr(assert: &Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

// ---------------------------------------------------------------------------------------
// config

#[test]
fn config_shows_each_setting_and_its_origin() {
    let project = Project::new(
        "migrations = \"src/migrations\"\n\
         database_url = \"postgres://app:${AUTHORING_TEST_PW}@127.0.0.1:1/app\"\n\
         version_table = \"app_version\"\n",
    );
    let out = project
        .cmd()
        .env("AUTHORING_TEST_PW", "hunter2-secret")
        .arg("config")
        .assert()
        .success();
    let text = stdout(&out);
    assert!(!text.contains("hunter2-secret"), "{text}");
    let line = |key: &str| {
        text.lines()
            .find(|l| l.starts_with(key))
            .unwrap_or_else(|| panic!("no {key} line:\n{text}"))
            .to_owned()
    };
    assert!(
        line("database_url").contains("postgres://app:***@127.0.0.1:1/app"),
        "{text}"
    );
    assert!(line("database_url").contains("migrate.toml"), "{text}");
    assert!(line("version_table").contains("app_version"), "{text}");
    assert!(
        line("history_table").contains("migrate_history  (default)"),
        "{text}"
    );
    assert!(
        line("migrations").contains("src/migrations  (from"),
        "{text}"
    );

    // The environment beats the file, a flag beats both.
    let env = project
        .cmd()
        .env("DATABASE_URL", "sqlite://env.db")
        .arg("config")
        .assert()
        .success();
    assert!(
        stdout(&env).contains("sqlite://env.db  (from DATABASE_URL)"),
        "{}",
        stdout(&env)
    );
    let flag = project
        .cmd()
        .env("DATABASE_URL", "sqlite://env.db")
        .args(["config", "--database-url", "sqlite://flag.db"])
        .assert()
        .success();
    assert!(
        stdout(&flag).contains("sqlite://flag.db  (from --database-url)"),
        "{}",
        stdout(&flag)
    );

    // `--verbose` on any command prints the same on stderr, stdout unchanged.
    let heads = project.run(&["heads", "--verbose"]).success();
    assert!(
        stderr(&heads).contains("version_table"),
        "{}",
        stderr(&heads)
    );
    assert!(!stdout(&heads).contains("version_table"));
}

#[cfg(feature = "sqlite")]
#[test]
fn config_tables_and_url_reach_the_database() {
    let project = Project::new(
        "database_url = \"sqlite://${AUTHORING_TEST_DIR}/app.sqlite3\"\n\
         version_table = \"app_version\"\n\
         history_table = \"app_history\"\n\
         transaction_mode = \"all\"\n",
    );
    let dir = project.dir.path().display().to_string();
    let up = project
        .cmd()
        .env("AUTHORING_TEST_DIR", &dir)
        .args(["upgrade", "2b6f0c81d4a9"])
        .assert()
        .success();
    assert!(stdout(&up).contains("from "), "{}", stdout(&up));
    let db = project.path("app.sqlite3");
    assert!(db.exists());
    let conn = migrate_runtime::AnyConnection::open(
        &migrate_runtime::DatabaseUrl::parse(&format!("sqlite://{}", db.display())).unwrap(),
    );
    let mut conn = conn.unwrap();
    use diesel::connection::SimpleConnection as _;
    conn.batch_execute("SELECT version_num FROM app_version")
        .unwrap();
    conn.batch_execute("SELECT revision FROM app_history")
        .unwrap();
}

#[cfg(feature = "sqlite")]
#[test]
fn relative_sqlite_urls_in_the_file_or_dotenv_name_a_file_in_the_root() {
    for (config, dotenv, file) in [
        ("database_url = \"sqlite://app.db\"\n", None, "app.db"),
        ("", Some("DATABASE_URL=sqlite://env.db\n"), "env.db"),
    ] {
        let project = Project::new(config);
        if let Some(dotenv) = dotenv {
            std::fs::write(project.path(".env"), dotenv).unwrap();
        }
        project.run(&["upgrade", "head"]).success();
        assert!(project.path(file).exists(), "{file} must be in the root");
        let sub = project.path("src/migrations");
        let current = project
            .cmd()
            .current_dir(&sub)
            .arg("current")
            .assert()
            .success();
        assert!(
            stdout(&current).contains(HEAD),
            "a subfolder must see the root's {file}:\n{}",
            stdout(&current)
        );
        assert!(
            !sub.join(file).exists(),
            "{file} must not be created in the current directory"
        );
        // A flag stays relative to the current directory, where it was typed.
        let flag = project
            .cmd()
            .current_dir(&sub)
            .args(["config", "--database-url", "sqlite://here.db"])
            .assert()
            .success();
        assert!(
            stdout(&flag).contains("sqlite://here.db  (from --database-url)"),
            "{}",
            stdout(&flag)
        );
    }
}

#[test]
fn bad_config_files_are_refused_with_the_reason() {
    let project = Project::new("migration = \"typo\"\n");
    let out = project.run(&["config"]).code(2);
    assert!(
        stderr(&out).contains("unknown field `migration`"),
        "{}",
        stderr(&out)
    );
    let project = Project::new("database_url = \"sqlite://${AUTHORING_TEST_UNSET_VAR}/x.db\"\n");
    let out = project.run(&["current"]).code(2);
    assert!(
        stderr(&out).contains("`${AUTHORING_TEST_UNSET_VAR}` is not set"),
        "{}",
        stderr(&out)
    );
    let project = Project::new("transaction_mode = \"sometimes\"\n");
    project.run(&["heads"]).success();
    project.run(&["upgrade"]).code(2);

    // Offline scripts name the configured tables, so a broken file must not fall back to
    // the default ones, even when `--transaction` makes the bad mode itself irrelevant.
    let project =
        Project::new("version_table = \"app_version\"\ntransaction_mode = \"sometimes\"\n");
    for args in [
        &["upgrade", "head", "--sql", "--dialect", "postgres"][..],
        &[
            "upgrade",
            "head",
            "--sql",
            "--dialect",
            "postgres",
            "--transaction",
            "per-migration",
        ],
        &[
            "downgrade",
            "8b2f6d4a0c19:base",
            "--sql",
            "--dialect",
            "postgres",
        ],
        &["stamp", "head"],
        &["current"],
    ] {
        let out = project.run(args).code(2);
        let err = stderr(&out);
        assert!(
            err.contains("`transaction_mode` `sometimes`")
                && err.contains("`per-migration` or `all`"),
            "{args:?}: {err}"
        );
        assert!(
            !stdout(&out).contains("migrate_version"),
            "{args:?}: {}",
            stdout(&out)
        );
    }
}

// ---------------------------------------------------------------------------------------
// revision and merge

#[test]
fn revision_writes_a_file_revising_the_head() {
    let project = Project::new("");
    let out = project.run(&["revision", "-m", "Create users"]).success();
    let files = project.new_files();
    assert_eq!(files.len(), 1, "{files:?}");
    let file = &files[0];
    let name = file.file_name().unwrap().to_str().unwrap();
    assert!(name.ends_with("_create_users.rs"), "{name}");
    let id = &name[..12];
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()), "{name}");
    assert!(
        stdout(&out).starts_with(&format!("created src/migrations/{name}\n")),
        "{}",
        stdout(&out)
    );
    let text = std::fs::read_to_string(file).unwrap();
    assert!(
        text.contains(&format!(
            "#[migration(revision = \"{id}\", revises = \"{HEAD}\", downgrade = downgrade)]"
        )),
        "{text}"
    );
    assert!(text.contains("/// Create users"), "{text}");

    // The file is not in this binary: another revision could branch by mistake.
    let out = project.run(&["revision", "-m", "again"]).code(2);
    assert!(stderr(&out).contains(name), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not compiled into this binary"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn references_to_migrations_outside_the_folder_are_marked_external() {
    // The folder lacks the files of the head and of the tagging branch: to a new file's
    // compile-time check they are migrations of another folder (another crate's, say).
    let project = Project::new("");
    for file in [
        "9c3a7e1f5d20_lowercase_codecs.rs",
        "d81f4b2a6c30_create_tags.rs",
    ] {
        std::fs::remove_file(project.path(&format!("src/migrations/{file}"))).unwrap();
    }
    project
        .run(&[
            "revision",
            "-m",
            "Add users",
            "--rev-id",
            "users01",
            "--depends-on",
            "tagging",
            "--depends-on",
            "5f3b8d2e7a91",
        ])
        .success();
    let text =
        std::fs::read_to_string(project.path("src/migrations/users01_add_users.rs")).unwrap();
    assert!(
        text.contains(&format!(
            "#[migration(revision = \"users01\", revises = \"{HEAD}\", depends_on = [\"d81f4b2a6c30\", \"5f3b8d2e7a91\"], external = [\"{HEAD}\", \"d81f4b2a6c30\"], downgrade = downgrade)]"
        )),
        "{text}"
    );
    // A merge of a branch outside the folder.
    std::fs::remove_file(project.path("src/migrations/users01_add_users.rs")).unwrap();
    let text = merge_the_two_branches(&project);
    assert!(
        text.contains(
            "revises = [\"d81f4b2a6c30\", \"5f3b8d2e7a91\"], external = [\"d81f4b2a6c30\"], downgrade"
        ),
        "{text}"
    );
}

#[test]
fn a_blank_message_is_refused_and_writes_nothing() {
    let project = Project::new("");
    for message in ["", "  \t "] {
        for command in [&["revision"][..], &["merge", HEAD, BRANCH_POINT]] {
            let out = project.run(&[command, &["-m", message]].concat()).code(2);
            assert!(
                stderr(&out).contains("the message is empty"),
                "{}",
                stderr(&out)
            );
        }
    }
    assert!(project.new_files().is_empty(), "{:?}", project.new_files());
}

#[test]
fn revision_options_reach_the_file() {
    let project = Project::new("");
    project
        .run(&[
            "revision",
            "-m",
            "Tag thumbnails",
            "--rev-id",
            "0004_tag_thumbnails",
            "--head",
            "7d1e",
            "--splice",
            "--branch-label",
            "thumbs",
            "--depends-on",
            "8b2f",
            "--irreversible",
        ])
        .success();
    let text = std::fs::read_to_string(
        // The readable id already says the message: it is not said twice.
        project.path("src/migrations/0004_tag_thumbnails.rs"),
    )
    .unwrap();
    assert!(
        text.contains(
            "#[migration(revision = \"0004_tag_thumbnails\", revises = \"7d1e5a3c8f02\", \
             depends_on = [\"8b2f6d4a0c19\"], branch_labels = [\"thumbs\"], irreversible)]"
        ),
        "{text}"
    );
    assert!(!text.contains("fn downgrade"), "{text}");

    // A new root.
    project
        .run(&[
            "revision",
            "-m",
            "audit log",
            "--head",
            "base",
            "--rev-id",
            "audit0001",
        ])
        .success();
    let text =
        std::fs::read_to_string(project.path("src/migrations/audit0001_audit_log.rs")).unwrap();
    assert!(
        text.contains("#[migration(revision = \"audit0001\", downgrade = downgrade)]"),
        "{text}"
    );
}

#[test]
fn revision_refusals() {
    let project = Project::new("");
    // Not a head without --splice.
    let out = project
        .run(&["revision", "-m", "x", "--head", BRANCH_POINT])
        .code(2);
    assert!(stderr(&out).contains("is not a head"), "{}", stderr(&out));
    assert!(stderr(&out).contains("--splice"), "{}", stderr(&out));
    // Unknown revision.
    let out = project
        .run(&["revision", "-m", "x", "--head", "feedface"])
        .code(2);
    assert!(stderr(&out).contains("feedface"), "{}", stderr(&out));
    let out = project
        .run(&["revision", "-m", "x", "--depends-on", "nope"])
        .code(2);
    assert!(stderr(&out).contains("nope"), "{}", stderr(&out));
    // An id in use, an invalid id, a label in use.
    let out = project
        .run(&["revision", "-m", "x", "--rev-id", HEAD])
        .code(2);
    assert!(stderr(&out).contains("already used"), "{}", stderr(&out));
    project
        .run(&["revision", "-m", "x", "--rev-id", "no-dashes"])
        .code(2);
    let out = project
        .run(&["revision", "-m", "x", "--branch-label", "tagging"])
        .code(2);
    assert!(stderr(&out).contains("already used"), "{}", stderr(&out));
    // An existing file is never overwritten.
    let taken = project.path("src/migrations/0005_x_x.rs");
    std::fs::write(&taken, "// mine\n").unwrap();
    let out = project
        .run(&["revision", "-m", "x", "--rev-id", "0005_x", "--head", HEAD])
        .code(2);
    assert!(stderr(&out).contains("already used"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&taken).unwrap(), "// mine\n");
    assert_eq!(project.new_files(), [taken]);
}

#[test]
fn revision_needs_the_migrations_folder() {
    let project = Project::new("migrations = \"db/migrations\"\n");
    let out = project.run(&["revision", "-m", "x"]).code(2);
    assert!(stderr(&out).contains("db/migrations"), "{}", stderr(&out));
    assert!(stderr(&out).contains("init"), "{}", stderr(&out));
}

#[test]
fn project_templates_replace_the_built_in_one() {
    let project = Project::new("template = \"migration.rs.tmpl\"\n");
    std::fs::write(
        project.path("migration.rs.tmpl"),
        "// house style: {{ message }} ({{slug}})\n\
         use migrate_runtime::prelude::*;\n\
         #[migration({{arguments}})]\n\
         fn up(_ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }\n{{downgrade}}",
    )
    .unwrap();
    project.run(&["revision", "-m", "Add email"]).success();
    let text = std::fs::read_to_string(&project.new_files()[0]).unwrap();
    assert!(
        text.starts_with("// house style: Add email (add_email)\n"),
        "{text}"
    );

    // A bad template writes nothing and says what is wrong.
    std::fs::write(
        project.path("migration.rs.tmpl"),
        "{{arguments}} {{author}}",
    )
    .unwrap();
    let project2 = Project::new("template = \"missing.tmpl\"\n");
    let out = project2.run(&["revision", "-m", "x"]).code(2);
    assert!(
        stderr(&out).contains("invalid template `missing.tmpl`"),
        "{}",
        stderr(&out)
    );
    let out = project
        .run(&["revision", "-m", "x", "--head", HEAD])
        .code(2);
    assert!(
        stderr(&out).contains("unknown placeholder `{{author}}`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(project.new_files().len(), 1);
}

/// Runs `merge tagging 5f3b8d2e7a91 -m join --rev-id join01` and returns the new file.
fn merge_the_two_branches(project: &Project) -> String {
    project
        .run(&[
            "merge",
            "tagging",
            "5f3b8d2e7a91",
            "-m",
            "join",
            "--rev-id",
            "join01",
        ])
        .success();
    std::fs::read_to_string(project.path("src/migrations/join01_join.rs")).unwrap()
}

#[test]
fn merge_writes_a_revision_revising_every_given_head() {
    let project = Project::new("");
    let text = merge_the_two_branches(&project);
    assert!(
        text.contains(
            "#[migration(revision = \"join01\", revises = [\"d81f4b2a6c30\", \"5f3b8d2e7a91\"], downgrade = downgrade)]"
        ),
        "{text}"
    );
}

#[test]
fn merge_refusals() {
    let project = Project::new("");
    let out = project.run(&["merge", "heads", "-m", "join"]).code(2);
    assert!(
        stderr(&out).contains("nothing to merge"),
        "{}",
        stderr(&out)
    );
    let out = project
        .run(&["merge", BRANCH_POINT, HEAD, "-m", "join"])
        .code(2);
    assert!(
        stderr(&out).contains("is an ancestor of"),
        "{}",
        stderr(&out)
    );
    let out = project
        .run(&["merge", "feedface", HEAD, "-m", "join"])
        .code(2);
    assert!(stderr(&out).contains("feedface"), "{}", stderr(&out));
    project.run(&["merge", "-m", "join"]).code(2);
    assert!(project.new_files().is_empty());
}

// ---------------------------------------------------------------------------------------
// history, heads, branches, current, show

/// Parses stdout as JSON.
fn json(assert: &Assert) -> serde_json::Value {
    serde_json::from_slice(&assert.get_output().stdout)
        .unwrap_or_else(|err| panic!("not JSON ({err}):\n{}", stdout(assert)))
}

#[cfg(feature = "sqlite")]
#[test]
fn history_draws_the_graph_with_markers() {
    let project = Project::new("");
    let out = stdout(&project.run(&["history"]).success());
    let lines: Vec<&str> = out.lines().collect();
    // Newest first, the merge opening two lanes and the branch point folding them.
    assert!(lines[0].starts_with(&format!("* {HEAD} (head) ")), "{out}");
    assert!(
        lines[2].starts_with("* 7d1e5a3c8f02 (mergepoint) "),
        "{out}"
    );
    assert_eq!(lines[3], "|\\", "{out}");
    assert!(lines[4].starts_with("* | ae7d52c1f948 "), "{out}");
    assert!(lines[4].ends_with("(depends on 6a4c0e9f2b83)"), "{out}");
    assert!(lines[5].starts_with("* | d81f4b2a6c30 (tagging) "), "{out}");
    assert!(lines[6].starts_with("| * 6a4c0e9f2b83 "), "{out}");
    assert!(lines[7].starts_with("| * 5f3b8d2e7a91 "), "{out}");
    assert_eq!(lines[8], "|/", "{out}");
    assert!(
        lines[9].starts_with(&format!("* {BRANCH_POINT} (branchpoint) ")),
        "{out}"
    );
    assert!(
        lines.last().unwrap().starts_with("* 1975ea83b712 "),
        "{out}"
    );
    assert!(!out.contains('\x1b'), "no colours off a terminal:\n{out}");
    assert!(
        !out.contains("(current)"),
        "no database, no current:\n{out}"
    );

    // With a database, the applied revision is marked, and -v tells when it ran.
    let db = project.path("app.sqlite3").display().to_string();
    let url = format!("sqlite://{db}");
    project
        .run(&["--database-url", &url, "upgrade", "2b6f0c81d4a9"])
        .success();
    let out = stdout(
        &project
            .run(&["--database-url", &url, "history", "-v"])
            .success(),
    );
    assert!(out.contains("* 2b6f0c81d4a9 (current) "), "{out}");
    assert_eq!(out.matches("applied:    20").count(), 2, "{out}");
    assert!(out.contains("applied:    never"), "{out}");
    assert!(out.contains("source:"), "{out}");
    assert!(out.contains("checksum:"), "{out}");
    assert!(out.contains("| * 6a4c0e9f2b83 "), "{out}");
    assert!(out.contains("|   message:"), "{out}");
}

#[test]
fn history_as_json_and_by_range() {
    let project = Project::new("");
    let all = json(&project.run(&["history", "--format", "json"]).success());
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 11);
    assert_eq!(all[0]["id"], HEAD);
    assert_eq!(all[0]["head"], true);
    assert_eq!(all[0]["reversible"], false);
    assert_eq!(all[0]["current"], serde_json::Value::Null);
    let merge = all.iter().find(|r| r["id"] == "7d1e5a3c8f02").unwrap();
    assert_eq!(merge["merge_point"], true);
    assert_eq!(
        merge["parents"],
        serde_json::json!(["ae7d52c1f948", "6a4c0e9f2b83"])
    );
    let tagged = all.iter().find(|r| r["id"] == "ae7d52c1f948").unwrap();
    assert_eq!(tagged["depends_on"], serde_json::json!(["6a4c0e9f2b83"]));
    assert!(
        tagged["source"]
            .as_str()
            .unwrap()
            .contains("ae7d52c1f948_tag_by_orientation.rs")
    );

    let range = json(
        &project
            .run(&[
                "history",
                "-r",
                &format!("{BRANCH_POINT}:7d1e"),
                "--format",
                "json",
            ])
            .success(),
    );
    let ids: Vec<&str> = range
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "7d1e5a3c8f02",
            "ae7d52c1f948",
            "d81f4b2a6c30",
            "6a4c0e9f2b83",
            "5f3b8d2e7a91",
            BRANCH_POINT
        ]
    );
    let out = project.run(&["history", "-r", "feedface:"]).code(2);
    assert!(stderr(&out).contains("feedface"), "{}", stderr(&out));
}

#[cfg(feature = "sqlite")]
#[test]
fn heads_branches_current_and_show_as_json() {
    let project = Project::new("");
    let heads = json(&project.run(&["heads", "--format", "json"]).success());
    assert_eq!(heads.as_array().unwrap().len(), 1);
    assert_eq!(heads[0]["id"], HEAD);

    let branches = json(&project.run(&["branches", "--format", "json"]).success());
    assert_eq!(branches[0]["branch_point"]["id"], BRANCH_POINT);
    let children: Vec<&str> = branches[0]["branches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(children.len(), 2);
    assert!(children.contains(&"d81f4b2a6c30") && children.contains(&"5f3b8d2e7a91"));

    let none = json(&project.run(&["current", "--format", "json"]).success());
    assert_eq!(none["revisions"], serde_json::json!([]));
    assert_eq!(none["exists"], false);
    assert!(!project.path("migrate.sqlite3").exists());

    project.run(&["upgrade", "2b6f"]).success();
    let current = json(&project.run(&["current", "--format", "json"]).success());
    assert_eq!(current["revisions"][0]["id"], "2b6f0c81d4a9");
    assert_eq!(current["revisions"][0]["current"], true);
    assert!(
        current["database"]
            .as_str()
            .unwrap()
            .contains("migrate.sqlite3"),
        "{current}"
    );

    let show = json(&project.run(&["show", "1975", "--format", "json"]).success());
    assert_eq!(show[0]["id"], "1975ea83b712");
    assert_eq!(show[0]["applied"], true);
    let show = json(&project.run(&["show", HEAD, "--format", "json"]).success());
    assert_eq!(show[0]["applied"], false);
    let base = json(&project.run(&["show", "base", "--format", "json"]).success());
    assert_eq!(base, serde_json::json!([]));
    project
        .run(&["show", "feedface", "--format", "json"])
        .code(2);
}

// ---------------------------------------------------------------------------------------
// completions and init

#[test]
fn completions_for_bash_zsh_and_fish() {
    let project = Project::new("");
    for shell in ["bash", "zsh", "fish"] {
        let out = stdout(&project.run(&["completions", shell]).success());
        for command in ["upgrade", "revision", "merge", "history", "init"] {
            assert!(out.contains(command), "{shell} lacks {command}");
        }
        assert!(out.contains("video-catalog"), "{shell}: {out}");
    }
    project.run(&["completions", "tcsh"]).code(2);
}

/// Runs cargo in `dir` with a shared target folder, so the scratch project compiles its
/// dependencies once across runs.
#[cfg(feature = "sqlite")]
fn cargo(dir: &Path, args: &[&str]) -> Assert {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("authoring-e2e");
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("DATABASE_URL")
        .args(args)
        .assert()
}

#[test]
fn init_refuses_to_run_twice_or_outside_a_package() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::cargo_bin("video-catalog").unwrap();
    let out = cmd.current_dir(dir.path()).arg("init").assert().code(2);
    assert!(stderr(&out).contains("no Cargo.toml"), "{}", stderr(&out));
    std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"app\"\n").unwrap();
    let mut cmd = Command::cargo_bin("video-catalog").unwrap();
    let out = cmd.current_dir(dir.path()).arg("init").assert().code(2);
    assert!(
        stderr(&out).contains("cargo add migrate-runtime"),
        "{}",
        stderr(&out)
    );
    std::fs::write(dir.path().join("migrate.toml"), "# mine\n").unwrap();
    let mut cmd = Command::cargo_bin("video-catalog").unwrap();
    let out = cmd.current_dir(dir.path()).arg("init").assert().code(2);
    assert!(
        stderr(&out).contains("refusing to overwrite `migrate.toml`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("migrate.toml")).unwrap(),
        "# mine\n"
    );
}

/// The README's path: an empty cargo project, `init`, `revision -m "create users"`, an edited
/// body, `upgrade head`; then two heads, the refusal, and `merge heads`.
#[cfg(feature = "sqlite")]
#[test]
fn from_an_empty_cargo_project_to_an_applied_migration() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    cargo(dir.path(), &["new", "--vcs", "none", "--quiet", "app"]).success();
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .join("migrate-runtime");
    let manifest = app.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str(&format!(
        "migrate-runtime = {{ path = {:?} }}\n",
        runtime.display().to_string()
    ));
    std::fs::write(&manifest, text).unwrap();
    // The workspace's lock pins versions that are already downloaded.
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock"),
        app.join("Cargo.lock"),
    )
    .unwrap();

    let mut init = Command::cargo_bin("video-catalog").unwrap();
    let out = init.current_dir(&app).arg("init").assert().success();
    for created in [
        "src/migrations/",
        "migrate.toml",
        "src/lib.rs",
        "build.rs",
        "xtask/Cargo.toml",
        ".cargo/config.toml",
    ] {
        assert!(
            stdout(&out).contains(&format!("created {created}")),
            "{}",
            stdout(&out)
        );
    }
    // Typed data migrations need the package's own diesel: `init` says which, and the
    // migration below is written as the README says, with diesel's prelude and ours.
    assert!(
        stdout(&out).contains("`cargo add diesel@2.3`"),
        "{}",
        stdout(&out)
    );
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text = text.replacen("[dependencies]\n", "[dependencies]\ndiesel = \"2.3\"\n", 1);
    std::fs::write(&manifest, text).unwrap();

    let out = cargo(
        &app,
        &["xtask", "migrate", "revision", "-m", "create users"],
    )
    .success();
    let created = stdout(&out);
    let path = created
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("created "))
        .unwrap_or_else(|| panic!("{created}"));
    assert!(path.starts_with("src/migrations/") && path.ends_with("_create_users.rs"));
    let file = app.join(path);
    let id = file.file_name().unwrap().to_str().unwrap()[..12].to_owned();
    let body = std::fs::read_to_string(&file).unwrap();
    let edited = body
        .replacen(
            "use migrate_runtime::prelude::*;\n",
            "use diesel::prelude::*;\n\
             use migrate_runtime::prelude::*;\n\
             // Named, they win over diesel's `Column` and `Table` traits.\n\
             use migrate_runtime::schema::{Column, Table};\n\
             \n\
             diesel::table! {\n    users (id) {\n        id -> Integer,\n        name -> Text,\n    }\n}\n",
            1,
        )
        .replacen(
            "    let _ = ctx;\n    Ok(())",
            "    ctx.create_table(\n\
             \x20       Table::new(\"users\")\n\
             \x20           .column(Column::new(\"id\", ColumnType::Integer).primary_key())\n\
             \x20           .column(Column::new(\"name\", ColumnType::Text).not_null()),\n\
             \x20   )?;\n\
             \x20   diesel::insert_into(users::table)\n\
             \x20       .values(users::name.eq(\"root\"))\n\
             \x20       .execute(ctx.connection()?)?;\n\
             \x20   Ok(())",
            1,
        );
    assert_ne!(body, edited, "the template's upgrade body changed:\n{body}");
    std::fs::write(&file, edited).unwrap();

    let up = cargo(&app, &["xtask", "migrate", "upgrade", "head"]).success();
    assert!(
        stdout(&up).contains(&format!("upgrade   {id}  create users")),
        "{}",
        stdout(&up)
    );
    // A missing argument is bad input, and the usage line is the command the user typed.
    let no_target = cargo(&app, &["xtask", "migrate", "downgrade"]).code(2);
    assert!(
        stderr(&no_target).contains("Usage: cargo xtask migrate downgrade <TARGET>"),
        "{}",
        stderr(&no_target)
    );
    let current = cargo(&app, &["xtask", "migrate", "current"]).success();
    assert!(
        stdout(&current).contains(&format!("{id} (head)")),
        "{}",
        stdout(&current)
    );
    let url = format!("sqlite://{}", app.join("migrate.sqlite3").display());
    let mut conn =
        migrate_runtime::AnyConnection::open(&migrate_runtime::DatabaseUrl::parse(&url).unwrap())
            .unwrap();
    use diesel::connection::SimpleConnection as _;
    conn.batch_execute("INSERT INTO users (name) VALUES ('ada')")
        .unwrap();
    // The typed insert of the migration ran, through the package's own diesel.
    let names: Vec<String> = {
        use diesel::prelude::*;
        diesel::sql_query("SELECT name FROM users ORDER BY id")
            .load::<Name>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|row| row.name)
            .collect()
    };
    assert_eq!(names, ["root", "ada"]);

    // A second root makes two heads: `revision` refuses and names them, `merge heads` joins.
    cargo(
        &app,
        &[
            "xtask",
            "migrate",
            "revision",
            "-m",
            "audit log",
            "--head",
            "base",
        ],
    )
    .success();
    let refused = cargo(&app, &["xtask", "migrate", "revision", "-m", "more"]).code(2);
    assert!(
        stderr(&refused).contains("the revision graph has 2 heads"),
        "{}",
        stderr(&refused)
    );
    assert!(stderr(&refused).contains(&id), "{}", stderr(&refused));
    cargo(&app, &["xtask", "migrate", "merge", "heads", "-m", "join"]).success();
    let heads = cargo(&app, &["xtask", "migrate", "heads", "--format", "json"]).success();
    let heads: serde_json::Value = serde_json::from_slice(&heads.get_output().stdout).unwrap();
    assert_eq!(heads.as_array().unwrap().len(), 1, "{heads}");
    assert_eq!(heads[0]["merge_point"], true, "{heads}");
}

/// A row of `SELECT name`.
#[cfg(feature = "sqlite")]
#[derive(diesel::QueryableByName)]
struct Name {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}
