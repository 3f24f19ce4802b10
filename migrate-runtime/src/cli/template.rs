//! Migration file templates: the built-in one, `{{placeholder}}` rendering, file-name slugs
//! and fresh revision ids. Pure: the commands read and write the files.

use std::fmt::Write as _;

use crate::RevisionId;

/// The built-in template. A project template (`template` in `migrate.toml`) replaces it and
/// may use the same placeholders. Its functions are `pub(crate)`, so that `migrations!` can
/// name them itself and the attribute leaves nothing for the compiler to check (see
/// `migrations!` in the crate docs).
pub(crate) const BUILT_IN: &str = r#"//! {{message}}

use migrate_runtime::prelude::*;

/// {{message}}
#[migration({{arguments}})]
pub(crate) fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
{{upgrade_body}}
}
{{downgrade}}"#;

/// The body of a new revision's upgrade function, as `{{upgrade_body}}` renders it.
const UPGRADE_BODY: &str = r#"    // For example: ctx.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
    let _ = ctx;
    Ok(())"#;

/// The body of a new revision's downgrade function.
const DOWNGRADE_BODY: &str = r#"    // Undo `upgrade`, for example: ctx.execute("DROP TABLE users")
    let _ = ctx;
    Ok(())"#;

/// The downgrade function of a merge revision, which changes no schema.
const MERGE_DOWNGRADE_FN: &str = r#"
pub(crate) fn downgrade(_ctx: &mut MigrationContext<'_>) -> Result<()> {
    Ok(())
}
"#;

/// Every placeholder a template may use, in the order messages list them.
pub(crate) const PLACEHOLDERS: &[&str] = &[
    "message",
    "revision",
    "revises",
    "arguments",
    "upgrade_body",
    "downgrade",
    "slug",
];

/// SQL that a new revision runs, such as the `up.sql` of an imported diesel migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sql {
    /// Where it comes from, for the comment above it (`migrations/.../up.sql`).
    pub(crate) origin: String,
    /// The SQL, verbatim.
    pub(crate) text: String,
    /// Whether it holds no statement (comments or whitespace only): the function then runs
    /// nothing, since MySQL refuses an empty query.
    pub(crate) empty: bool,
    /// Statements to run before it, each in its own `ctx.execute`, under this comment (why
    /// they are there): sqlx.toml's `create-schemas`, say. `None` for none.
    pub(crate) before: Option<(String, Vec<String>)>,
}

impl Sql {
    /// A function body running the SQL with `ctx.execute` (one batch, as diesel runs a
    /// file), or, for SQL without a statement, one that runs nothing and keeps its comments.
    fn body(&self) -> String {
        let mut before = String::new();
        if let Some((comment, statements)) = &self.before {
            let _ = writeln!(before, "    // {comment}");
            for statement in statements {
                let _ = writeln!(before, "    ctx.execute({})?;", rust_literal(statement));
            }
        }
        before + &self.own_body()
    }

    fn own_body(&self) -> String {
        if self.empty {
            let mut out = format!(
                "    // `{}` holds no statement, so this runs nothing:\n",
                self.origin
            );
            for line in self.text.lines().filter(|l| !l.trim().is_empty()) {
                let _ = writeln!(out, "    // {}", line.trim_end());
            }
            out.push_str("    let _ = ctx;\n    Ok(())");
            return out;
        }
        format!(
            "    // `{}`, verbatim\n    ctx.execute({})",
            self.origin,
            rust_literal(&self.text)
        )
    }
}

/// `text` as a Rust string literal: a raw string with the fewest `#`s that hold it, or an escaped
/// literal when it holds a carriage return (which a raw string cannot hold verbatim: the
/// compiler reads a CRLF in a source file as LF).
pub(crate) fn rust_literal(text: &str) -> String {
    if text.contains('\r') {
        return format!("{text:?}");
    }
    // The fewest `#`s that end the string only at its end: none without a `"` in the
    // text (so that clippy's `needless_raw_string_hashes` is quiet on the file), else one
    // more than the longest run of `#`s after a `"`.
    let fence = text
        .match_indices('"')
        .map(|(at, _)| text[at + 1..].bytes().take_while(|&b| b == b'#').count() + 1)
        .max()
        .map_or_else(String::new, |hashes| "#".repeat(hashes));
    format!("r{fence}\"{text}\"{fence}")
}

/// What a new migration file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewRevision {
    /// Its id.
    pub(crate) id: RevisionId,
    /// The one-line message.
    pub(crate) message: String,
    /// Parents: none for a new root, several for a merge.
    pub(crate) revises: Vec<RevisionId>,
    /// `depends_on`.
    pub(crate) depends_on: Vec<RevisionId>,
    /// `external`: the references above that the new file's compile-time check cannot see
    /// (migrations outside its folder, such as another crate's).
    pub(crate) external: Vec<RevisionId>,
    /// `branch_labels`.
    pub(crate) branch_labels: Vec<String>,
    /// No downgrade function: `irreversible`.
    pub(crate) irreversible: bool,
    /// `transactional = false` when false.
    pub(crate) transactional: bool,
    /// The SQL the upgrade function runs; `None` for the template's example body.
    pub(crate) upgrade_sql: Option<Sql>,
    /// The SQL the downgrade function runs; `None` for the template's example body.
    pub(crate) downgrade_sql: Option<Sql>,
}

impl NewRevision {
    /// The file name: `<id>_<slug>.rs`, which sorts by id and reads as the message; just
    /// `<id>.rs` when a readable id (`--rev-id 0003_create_users`) already ends with it.
    pub(crate) fn file_name(&self) -> String {
        let slug = slug(&self.message);
        if self.id.as_str().ends_with(&format!("_{slug}")) {
            format!("{}.rs", self.id)
        } else {
            format!("{}_{slug}.rs", self.id)
        }
    }

    /// The arguments inside `#[migration(...)]`.
    pub(crate) fn arguments(&self) -> String {
        let mut out = format!("revision = {:?}", self.id.as_str());
        match self.revises.as_slice() {
            [] => {}
            [one] => {
                let _ = write!(out, ", revises = {:?}", one.as_str());
            }
            many => {
                let _ = write!(out, ", revises = [{}]", quoted(many));
            }
        }
        if !self.depends_on.is_empty() {
            let _ = write!(out, ", depends_on = [{}]", quoted(&self.depends_on));
        }
        if !self.external.is_empty() {
            let _ = write!(out, ", external = [{}]", quoted(&self.external));
        }
        if !self.branch_labels.is_empty() {
            let _ = write!(out, ", branch_labels = [{}]", quoted(&self.branch_labels));
        }
        if self.irreversible {
            out.push_str(", irreversible");
        } else {
            out.push_str(", downgrade = downgrade");
        }
        if !self.transactional {
            out.push_str(", transactional = false");
        }
        out
    }

    /// The value of each placeholder.
    fn value(&self, name: &str) -> Option<String> {
        Some(match name {
            "message" => self.message.clone(),
            "revision" => self.id.to_string(),
            "revises" => quoted(&self.revises),
            "arguments" => self.arguments(),
            "upgrade_body" => match &self.upgrade_sql {
                Some(sql) => sql.body(),
                None => UPGRADE_BODY.to_owned(),
            },
            "downgrade" if self.irreversible => String::new(),
            "downgrade" if self.revises.len() > 1 => MERGE_DOWNGRADE_FN.to_owned(),
            "downgrade" => format!(
                "\npub(crate) fn downgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {{\n{}\n}}\n",
                self.downgrade_sql
                    .as_ref()
                    .map_or_else(|| DOWNGRADE_BODY.to_owned(), Sql::body)
            ),
            "slug" => slug(&self.message),
            _ => return None,
        })
    }

    /// Renders `template`, replacing every `{{name}}` (spaces inside the braces allowed).
    /// A template must mention `{{arguments}}`, or the file would not register the revision.
    pub(crate) fn render(&self, template: &str) -> Result<String, String> {
        let mut out = String::with_capacity(template.len() + 256);
        let mut rest = template;
        let mut saw_arguments = false;
        let mut saw_upgrade_body = false;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after.find("}}").ok_or_else(|| {
                let line = template[..template.len() - rest.len() + start]
                    .matches('\n')
                    .count()
                    + 1;
                format!("`{{{{` on line {line} is never closed with `}}}}`")
            })?;
            let name = after[..end].trim();
            let value = self.value(name).ok_or_else(|| {
                format!(
                    "unknown placeholder `{{{{{name}}}}}`, expected one of {}",
                    PLACEHOLDERS
                        .iter()
                        .map(|p| format!("`{{{{{p}}}}}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
            saw_arguments |= name == "arguments";
            saw_upgrade_body |= name == "upgrade_body";
            out.push_str(&value);
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        if self.upgrade_sql.is_some() && !saw_upgrade_body {
            return Err(
                "the template never uses `{{upgrade_body}}`, so the upgrade function would not \
                 run the imported SQL; write `{{upgrade_body}}` as the upgrade function's body \
                 (the built-in template does)"
                    .to_owned(),
            );
        }
        if !saw_arguments {
            return Err(
                "the template never uses `{{arguments}}`, so the file would declare no revision; \
                 write `#[migration({{arguments}})]` above the upgrade function"
                    .to_owned(),
            );
        }
        Ok(out)
    }
}

fn quoted<T: AsRef<str>>(items: &[T]) -> String {
    items
        .iter()
        .map(|item| format!("{:?}", item.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Longest slug kept in a file name, in bytes.
const MAX_SLUG: usize = 40;

/// The message as a file-name part: lowercase ASCII letters and digits, words joined by `_`,
/// cut at a word boundary after [`MAX_SLUG`] bytes; `migration` when nothing is left. Other
/// letters are transliterated first (`añadir índice` is `anadir_indice`, not `a_adir_ndice`).
pub(crate) fn slug(message: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in deunicode::deunicode(message).chars() {
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        } else if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    let mut out = String::new();
    for word in words {
        let extra = if out.is_empty() { 0 } else { 1 };
        if !out.is_empty() && out.len() + extra + word.len() > MAX_SLUG {
            break;
        }
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(&word);
    }
    out.truncate(MAX_SLUG);
    if out.is_empty() {
        "migration".to_owned()
    } else {
        out
    }
}

/// `--message`'s parser: a message with words in it, so that the file name, doc comment
/// and `history` line say what the revision does.
pub(crate) fn message_arg(message: &str) -> Result<String, String> {
    if message.trim().is_empty() {
        return Err(
            "the message is empty; describe the change, such as `-m \"add email to users\"`".into(),
        );
    }
    Ok(message.to_owned())
}

/// A message fit for a doc comment and a file: one line, trimmed.
pub(crate) fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first 12-hex id built from `random` bytes (6 bytes per candidate) that `taken`
/// rejects, like Alembic's `uuid4().hex[-12:]`. `None` if every candidate is taken.
pub(crate) fn fresh_id(random: &[u8], taken: impl Fn(&str) -> bool) -> Option<RevisionId> {
    random.chunks_exact(6).find_map(|bytes| {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        if taken(&hex) {
            None
        } else {
            RevisionId::new(&hex).ok()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> RevisionId {
        RevisionId::new(s).unwrap()
    }

    fn revision() -> NewRevision {
        NewRevision {
            id: id("a1b2c3d4e5f6"),
            message: "Create users".into(),
            revises: vec![id("1975ea83b712")],
            depends_on: Vec::new(),
            external: Vec::new(),
            branch_labels: Vec::new(),
            irreversible: false,
            transactional: true,
            upgrade_sql: None,
            downgrade_sql: None,
        }
    }

    #[test]
    fn slugs_read_well_and_stay_short() {
        assert_eq!(slug("Create users"), "create_users");
        assert_eq!(
            slug("  add e-mail (users.email) "),
            "add_e_mail_users_email"
        );
        assert_eq!(slug("Ünïcode only"), "unicode_only");
        assert_eq!(slug("añadir índice"), "anadir_indice");
        assert_eq!(slug("用户表"), "yong_hu_biao");
        assert_eq!(slug("!!!"), "migration");
        let long = slug("add a very long column name to the table of videos and thumbnails");
        assert!(long.len() <= MAX_SLUG, "{long}");
        assert!(!long.ends_with('_'), "{long}");
        assert_eq!(long, "add_a_very_long_column_name_to_the_table");
        assert_eq!(slug(&"x".repeat(60)).len(), MAX_SLUG);
    }

    #[test]
    fn file_names_sort_by_id() {
        assert_eq!(revision().file_name(), "a1b2c3d4e5f6_create_users.rs");
        // A readable id that already says it is not said twice.
        let readable = NewRevision {
            id: id("0003_create_users"),
            ..revision()
        };
        assert_eq!(readable.file_name(), "0003_create_users.rs");
    }

    #[test]
    fn arguments_cover_every_key() {
        assert_eq!(
            revision().arguments(),
            r#"revision = "a1b2c3d4e5f6", revises = "1975ea83b712", downgrade = downgrade"#
        );
        let merge = NewRevision {
            revises: vec![id("aaa"), id("bbb")],
            depends_on: vec![id("ccc")],
            external: vec![id("bbb"), id("ccc")],
            branch_labels: vec!["tagging".into()],
            irreversible: true,
            ..revision()
        };
        assert_eq!(
            merge.arguments(),
            r#"revision = "a1b2c3d4e5f6", revises = ["aaa", "bbb"], depends_on = ["ccc"], external = ["bbb", "ccc"], branch_labels = ["tagging"], irreversible"#
        );
        let root = NewRevision {
            revises: Vec::new(),
            ..revision()
        };
        assert_eq!(
            root.arguments(),
            r#"revision = "a1b2c3d4e5f6", downgrade = downgrade"#
        );
    }

    #[test]
    fn the_built_in_template_renders_a_migration() {
        let text = revision().render(BUILT_IN).unwrap();
        assert!(text.starts_with("//! Create users\n"), "{text}");
        assert!(text.contains("/// Create users\n#[migration(revision = \"a1b2c3d4e5f6\""));
        assert!(text.contains("fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()>"));
        assert!(text.contains("fn downgrade("));
        let irreversible = NewRevision {
            irreversible: true,
            ..revision()
        };
        let text = irreversible.render(BUILT_IN).unwrap();
        assert!(!text.contains("fn downgrade("), "{text}");
        assert!(text.contains(", irreversible)]"), "{text}");
    }

    #[test]
    fn bad_templates_are_explained() {
        let r = revision();
        assert_eq!(
            r.render("x {{ revision }} {{arguments}}").unwrap(),
            format!("x a1b2c3d4e5f6 {}", r.arguments())
        );
        let err = r.render("{{arguments}} {{author}}").unwrap_err();
        assert!(
            err.starts_with("unknown placeholder `{{author}}`, expected one of `{{message}}`"),
            "{err}"
        );
        let err = r.render("{{arguments}}\n{{message").unwrap_err();
        assert_eq!(err, "`{{` on line 2 is never closed with `}}`");
        let err = r.render("//! {{message}}").unwrap_err();
        assert!(err.contains("never uses `{{arguments}}`"), "{err}");
    }

    #[test]
    fn fresh_ids_skip_taken_ones() {
        let random = [0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0, 1, 2, 3, 4, 5];
        assert_eq!(fresh_id(&random, |_| false).unwrap(), "abcdef012345");
        assert_eq!(
            fresh_id(&random, |s| s == "abcdef012345").unwrap(),
            "000102030405"
        );
        assert!(fresh_id(&random, |_| true).is_none());
    }

    #[test]
    fn messages_become_one_line() {
        assert_eq!(one_line("  create\n users\t table "), "create users table");
    }
}
