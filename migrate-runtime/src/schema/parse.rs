//! The crate's one SQL lexer and what it reads: the constraints of a SQLite `CREATE TABLE`
//! statement (SQLite's pragmas list columns and foreign keys but not constraint names or
//! `CHECK` expressions, which a rebuild must keep), which names a view's or trigger's SQL
//! mentions, the top-level statements of a migration's raw SQL (where compound bodies end)
//! and the transaction-control statements among them.

use super::model::{Action, Constraint, ConstraintKind, ForeignKey};
use crate::Backend;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// A bare word or a quoted identifier (unquoted).
    Word { text: String, quoted: bool },
    /// `'...'`.
    Str,
    /// `(`.
    Open,
    /// `)`.
    Close,
    /// `,`.
    Comma,
    /// `;`.
    Semicolon,
    /// Anything else (numbers, operators).
    Other,
}

/// A token and its byte range in the source.
#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    start: usize,
    end: usize,
}

/// SQL as SQLite (and, for what the schema module reads back, MySQL) writes it.
fn tokenize(sql: &str) -> Vec<Token> {
    tokenize_in(sql, Backend::Sqlite)
}

/// SQL as `backend` reads it. PostgreSQL adds nested block comments, dollar-quoted strings
/// (`$$...$$`, `$tag$...$tag$`) and escape strings (`E'...'`, where a backslash escapes
/// the quote). MySQL (in its default `sql_mode`) adds `#` line comments, takes `--` as a
/// comment only before whitespace (`1--1` is arithmetic), reads `"..."` as a string and a
/// backslash in a string as an escape (`'it\'s'`), and has no `[...]` names.
fn tokenize_in(sql: &str, backend: Backend) -> Vec<Token> {
    let postgres = backend == Backend::Postgres;
    let mysql = backend == Backend::Mysql;
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let tok = match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-')
                && (!mysql
                    || bytes
                        .get(i + 2)
                        .is_none_or(|b| b.is_ascii_whitespace() || b.is_ascii_control())) =>
            {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'#' if mysql => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                // PostgreSQL nests block comments; SQLite and MySQL end them at the first
                // `*/`.
                let mut depth = 0;
                while i < bytes.len() {
                    if bytes[i] == b'/'
                        && bytes.get(i + 1) == Some(&b'*')
                        && (postgres || depth == 0)
                    {
                        depth += 1;
                        i += 2;
                    } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                continue;
            }
            b'$' if postgres => match dollar_tag(&bytes[i..]) {
                Some(tag) => {
                    i += tag;
                    let close = &bytes[start..i];
                    while i < bytes.len() && !bytes[i..].starts_with(close) {
                        i += 1;
                    }
                    i = (i + tag).min(bytes.len());
                    Tok::Str
                }
                None => {
                    i += 1;
                    Tok::Other
                }
            },
            b'E' | b'e' if postgres && bytes.get(i + 1) == Some(&b'\'') => {
                i += 2;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' => i += 2,
                        b'\'' if bytes.get(i + 1) == Some(&b'\'') => i += 2,
                        b'\'' => {
                            i += 1;
                            break;
                        }
                        _ => i += 1,
                    }
                }
                i = i.min(bytes.len());
                Tok::Str
            }
            b';' => {
                i += 1;
                Tok::Semicolon
            }
            b'(' => {
                i += 1;
                Tok::Open
            }
            b')' => {
                i += 1;
                Tok::Close
            }
            b',' => {
                i += 1;
                Tok::Comma
            }
            b'\'' | b'"' if mysql => {
                quoted_escaped(bytes, &mut i);
                Tok::Str
            }
            b'\'' | b'"' | b'`' => quoted(bytes, &mut i),
            // An array subscript on PostgreSQL, and nothing special on MySQL.
            b'[' if backend == Backend::Sqlite => quoted(bytes, &mut i),
            c if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || bytes[i] == b'_'
                        || bytes[i] == b'$'
                        || bytes[i] >= 0x80)
                {
                    i += 1;
                }
                Tok::Word {
                    text: sql[start..i].to_owned(),
                    quoted: false,
                }
            }
            _ => {
                i += 1;
                Tok::Other
            }
        };
        out.push(Token { tok, start, end: i });
    }
    out
}

/// The quoted string or name whose opening quote is at `bytes[*i]`, moving `*i` past its
/// closing quote. A doubled quote is a quote character inside the quotes.
fn quoted(bytes: &[u8], i: &mut usize) -> Tok {
    let c = bytes[*i];
    let close = if c == b'[' { b']' } else { c };
    let mut text = Vec::new();
    *i += 1;
    while *i < bytes.len() {
        if bytes[*i] == close {
            if close != b']' && bytes.get(*i + 1) == Some(&close) {
                text.push(close);
                *i += 2;
                continue;
            }
            *i += 1;
            break;
        }
        text.push(bytes[*i]);
        *i += 1;
    }
    if c == b'\'' {
        Tok::Str
    } else {
        Tok::Word {
            text: String::from_utf8_lossy(&text).into_owned(),
            quoted: true,
        }
    }
}

/// Moves `*i` from the opening quote of a MySQL string (`'...'` or `"..."`) past its closing
/// quote: a doubled quote or a backslash before any character escapes it.
fn quoted_escaped(bytes: &[u8], i: &mut usize) {
    let close = bytes[*i];
    *i += 1;
    while *i < bytes.len() {
        match bytes[*i] {
            b'\\' => *i += 2,
            c if c == close && bytes.get(*i + 1) == Some(&close) => *i += 2,
            c if c == close => {
                *i += 1;
                break;
            }
            _ => *i += 1,
        }
    }
    *i = (*i).min(bytes.len());
}

/// The length of the opening `$tag$` of a PostgreSQL dollar-quoted string at the start of
/// `rest` (`$$` included), or `None` when the `$` starts something else (`$1`).
fn dollar_tag(rest: &[u8]) -> Option<usize> {
    let tag = rest[1..]
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80))?;
    let first_ok = tag == 0 || !rest[1].is_ascii_digit();
    (first_ok && rest[1 + tag] == b'$').then_some(tag + 2)
}

/// Whether `t` is the bare keyword `kw` (case-insensitive).
fn is_kw(t: Option<&Token>, kw: &str) -> bool {
    matches!(t, Some(Token { tok: Tok::Word { text, quoted: false }, .. }) if text.eq_ignore_ascii_case(kw))
}

fn word(t: Option<&Token>) -> Option<String> {
    match t {
        Some(Token {
            tok: Tok::Word { text, .. },
            ..
        }) => Some(text.clone()),
        _ => None,
    }
}

/// The index of the `)` matching the `(` at `open`.
fn matching(tokens: &[Token], open: usize) -> usize {
    let mut depth = 0;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t.tok {
            Tok::Open => depth += 1,
            Tok::Close => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    tokens.len().saturating_sub(1)
}

/// The identifiers of a parenthesised list starting at `open`; returns them and the
/// index after the `)`.
fn name_list(tokens: &[Token], open: usize) -> (Vec<String>, usize) {
    let close = matching(tokens, open);
    let names = tokens[open + 1..close]
        .iter()
        .filter_map(|t| word(Some(t)))
        // `COLLATE x` and `ASC`/`DESC` may follow an indexed column.
        .filter(|w| {
            !["ASC", "DESC", "COLLATE"]
                .iter()
                .any(|k| w.eq_ignore_ascii_case(k))
        })
        .collect();
    (names, close + 1)
}

/// Whether `sql` mentions `name` as an identifier, quoted or not, ignoring ASCII case as
/// SQLite does. SQLite keeps no dependency list for views and triggers, so this is how a
/// rebuild finds the ones that name a table or a dropped column; a false match (a column
/// of the same name in another table) costs only a needless re-creation, or a refusal
/// whose advice still works.
///
/// In a `CREATE VIEW` or `CREATE TRIGGER` statement the object's own name does not count,
/// so a view named like a column does not seem to use it.
pub(crate) fn mentions(sql: &str, name: &str) -> bool {
    let tokens = tokenize(sql);
    let mut skip = None;
    if let Some(kw) = tokens
        .iter()
        .position(|t| is_kw(Some(t), "VIEW") || is_kw(Some(t), "TRIGGER"))
    {
        let mut i = kw + 1;
        if is_kw(tokens.get(i), "IF") {
            i += 3;
        }
        // `schema.name`
        if tokens
            .get(i + 1)
            .is_some_and(|t| &sql[t.start..t.end] == ".")
        {
            i += 2;
        }
        skip = Some(i);
    }
    tokens.iter().enumerate().any(|(i, t)| match &t.tok {
        Tok::Word { text, .. } => Some(i) != skip && text.eq_ignore_ascii_case(name),
        _ => false,
    })
}

/// Whether the SQL expression `expr` (a `CHECK`) reads column `column`: a word of that
/// name, quoted or not, that is neither inside a string nor a function called (`length`
/// in `length(name) > 0`). A check on a dropped column goes with it, as on PostgreSQL.
pub(crate) fn expression_mentions(expr: &str, column: &str) -> bool {
    !column_tokens(expr, column).is_empty()
}

/// Whether the `CREATE INDEX` statement `sql` reads column `column` after its table name:
/// in the indexed columns or expressions, or in the `WHERE` predicate (not in the index's
/// or the table's own name).
pub(crate) fn index_mentions(sql: &str, column: &str) -> bool {
    let tokens = tokenize(sql);
    tokens
        .iter()
        .position(|t| t.tok == Tok::Open)
        .is_some_and(|open| expression_mentions(&sql[tokens[open].start..], column))
}

/// The byte ranges in `expr` where column `column` is mentioned, as
/// [`expression_mentions`] defines it.
fn column_tokens(expr: &str, column: &str) -> Vec<std::ops::Range<usize>> {
    let tokens = tokenize(expr);
    let called = |i: usize| tokens.get(i + 1).is_some_and(|n| n.tok == Tok::Open);
    tokens
        .iter()
        .enumerate()
        .filter(|(i, t)| match &t.tok {
            Tok::Word { text, quoted } => {
                (*quoted || !called(*i)) && text.eq_ignore_ascii_case(column)
            }
            _ => false,
        })
        .map(|(_, t)| t.start..t.end)
        .collect()
}

/// `expr` with every mention of column `from` (as [`expression_mentions`] finds them)
/// replaced by `to`, double-quoted: what SQLite's `RENAME COLUMN` does to a `CHECK` or an
/// index predicate, for the offline shape to follow.
pub(crate) fn rename_in_expression(expr: &str, from: &str, to: &str) -> String {
    let quoted = format!("\"{}\"", to.replace('"', "\"\""));
    let mut out = String::with_capacity(expr.len());
    let mut at = 0;
    for range in column_tokens(expr, from) {
        out.push_str(&expr[at..range.start]);
        out.push_str(&quoted);
        at = range.end;
    }
    out.push_str(&expr[at..]);
    out
}

/// Whether `sql` holds the keyword `kw` outside strings and quoted names.
#[cfg_attr(
    not(feature = "sqlite"),
    allow(dead_code, reason = "only online SQLite reads tables back")
)]
pub(crate) fn has_keyword(sql: &str, kw: &str) -> bool {
    tokenize(sql).iter().any(|t| is_kw(Some(t), kw))
}

/// The first top-level statement of `sql` (one or more statements separated by `;`, as
/// `backend` reads them) that begins, commits or rolls back a transaction: `BEGIN`,
/// `START TRANSACTION`, `COMMIT` (`AND CHAIN` too), `END`, `ROLLBACK` (not `ROLLBACK TO`
/// a savepoint), and on PostgreSQL `ABORT` and `PREPARE TRANSACTION`; its text, with the
/// whitespace collapsed, up to its tenth word.
///
/// Statements inside others do not count: strings, quoted names and comments (on
/// PostgreSQL dollar quotes and nested comments too), parentheses, and the bodies that
/// [`statements`] follows.
pub(crate) fn transaction_control(sql: &str, backend: Backend) -> Option<String> {
    let tokens = tokenize_in(sql, backend);
    statements(sql, &tokens, backend)
        .into_iter()
        .find_map(|range| control_statement(sql, &tokens[range], backend))
}

/// One top-level statement of a batch, as [`split`] finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Statement<'a> {
    /// Its text without its `;` (the comments before it included, those after its last
    /// token not).
    pub(crate) text: &'a str,
    /// Whether a `;` inside it (in a compound body) would end it for a client that splits
    /// at every `;` outside strings and comments, such as `mariadb`/`mysql`.
    pub(crate) compound: bool,
}

/// The top-level statements of `sql` (statements separated by `;`, as `backend` reads
/// them, the bodies [`statements`] follows kept whole). Text holding no token (a lone
/// comment after the last `;`) is no statement.
pub(crate) fn split(sql: &str, backend: Backend) -> Vec<Statement<'_>> {
    let tokens = tokenize_in(sql, backend);
    let mut from = 0;
    statements(sql, &tokens, backend)
        .into_iter()
        .map(|range| {
            let body = &tokens[range.clone()];
            let end = body.last().map_or(from, |t| t.end);
            let statement = Statement {
                text: sql[from..end].trim(),
                compound: body.iter().any(|t| t.tok == Tok::Semicolon),
            };
            // Past this statement's `;` (none after the last one).
            from = tokens.get(range.end).map_or(end, |t| t.end);
            statement
        })
        .collect()
}

/// The token ranges of the top-level statements of `tokens` (without their `;`, empty
/// ones left out).
///
/// A `;` inside a compound body does not end its statement, as the server reads it (and on
/// SQLite and PostgreSQL as `sqlite3_complete` and `psql` do): the `BEGIN ... END` body of
/// a PostgreSQL `CREATE [OR REPLACE] FUNCTION|PROCEDURE ... BEGIN ATOMIC` or a SQLite
/// `CREATE [TEMP] TRIGGER` (with the `CASE ... END` inside it); on MySQL the body of a
/// `CREATE PROCEDURE|FUNCTION|TRIGGER|EVENT` and MariaDB's compound statements outside
/// one (`BEGIN NOT ATOMIC`, `IF`, `CASE`, `LOOP`, `WHILE`, `REPEAT`, `FOR`), with their
/// nesting: `BEGIN ... END`, `CASE ... END [CASE]`, `IF ... END IF`, `LOOP ... END LOOP`,
/// `WHILE ... END WHILE`, `REPEAT ... END REPEAT`, `FOR ... END FOR`, labels
/// (`lbl: BEGIN ... END lbl`), but not the `IF(a, b, c)` and `REPEAT(s, n)` functions or an
/// `IF [NOT] EXISTS` clause.
fn statements(sql: &str, tokens: &[Token], backend: Backend) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    // The statement's first token, whether it has a body, and the nesting inside it.
    let mut first = 0;
    let mut body = false;
    let (mut parens, mut blocks) = (0_usize, 0_usize);
    let mut i = 0;
    while i < tokens.len() {
        if i == first {
            body = has_body(sql, &tokens[i..], backend);
        }
        match &tokens[i].tok {
            Tok::Open => parens += 1,
            Tok::Close => parens = parens.saturating_sub(1),
            Tok::Semicolon if parens == 0 && blocks == 0 => {
                if first < i {
                    out.push(first..i);
                }
                first = i + 1;
                body = false;
            }
            Tok::Word {
                text,
                quoted: false,
            } if body && parens == 0 => {
                if backend == Backend::Mysql {
                    i += mysql_block(sql, tokens, i, &mut blocks);
                } else if text.eq_ignore_ascii_case("BEGIN")
                    || (blocks > 0 && text.eq_ignore_ascii_case("CASE"))
                {
                    blocks += 1;
                } else if text.eq_ignore_ascii_case("END") {
                    blocks = blocks.saturating_sub(1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    if first < tokens.len() {
        out.push(first..tokens.len());
    }
    out
}

/// The keywords that `END` may be followed by to close their block on MySQL.
const MYSQL_BLOCKS: [&str; 6] = ["IF", "CASE", "LOOP", "WHILE", "REPEAT", "FOR"];

/// Applies the bare word `tokens[i]` of a MySQL compound body to the nesting `blocks`;
/// returns how many tokens after it it read too (the `IF` of an `END IF`).
fn mysql_block(sql: &str, tokens: &[Token], i: usize, blocks: &mut usize) -> usize {
    let kw = |j: usize, k: &str| is_kw(tokens.get(j), k);
    // `new.begin`, `t.end`: a column, not a keyword.
    let dot = |j: Option<usize>| {
        j.and_then(|j| tokens.get(j))
            .is_some_and(|t| &sql[t.start..t.end] == ".")
    };
    if dot(i.checked_sub(1)) || dot(Some(i + 1)) {
        return 0;
    }
    if kw(i, "END") {
        *blocks = blocks.saturating_sub(1);
        return usize::from(MYSQL_BLOCKS.iter().any(|k| kw(i + 1, k)));
    }
    let opens = if kw(i, "BEGIN") || kw(i, "CASE") || kw(i, "LOOP") || kw(i, "WHILE") {
        true
    } else if kw(i, "IF") {
        // Not `IF EXISTS t` / `IF NOT EXISTS t` (but `IF EXISTS (SELECT ...) THEN`), nor
        // the function `IF(cond, a, b)`.
        let exists =
            |j: usize| kw(j, "EXISTS") && tokens.get(j + 1).is_none_or(|t| t.tok != Tok::Open);
        !(exists(i + 1) || (kw(i + 1, "NOT") && exists(i + 2)) || call(tokens, i, 2))
    } else if kw(i, "REPEAT") {
        !call(tokens, i, 1)
    } else if kw(i, "FOR") {
        // MariaDB's `FOR i IN 1..3 DO ... END FOR`, not `FOR EACH ROW` or `FOR UPDATE`.
        word(tokens.get(i + 1)).is_some() && kw(i + 2, "IN")
    } else {
        false
    };
    if opens {
        *blocks += 1;
    }
    0
}

/// Whether `tokens[i]` is called as a function with `commas + 1` arguments: `(` follows,
/// with `commas` commas at its top level.
fn call(tokens: &[Token], i: usize, commas: usize) -> bool {
    if tokens.get(i + 1).is_none_or(|t| t.tok != Tok::Open) {
        return false;
    }
    let close = matching(tokens, i + 1);
    let mut depth = 0_usize;
    let mut found = 0;
    for t in &tokens[i + 1..=close] {
        match t.tok {
            Tok::Open => depth += 1,
            Tok::Close => depth = depth.saturating_sub(1),
            Tok::Comma if depth == 1 => found += 1,
            _ => {}
        }
    }
    found == commas
}

/// Whether the statement starting at `tokens[0]` may hold a body whose `;`s do not end it
/// (see [`statements`]): a PostgreSQL `CREATE [OR REPLACE] FUNCTION|PROCEDURE` (`BEGIN
/// ATOMIC`), a SQLite `CREATE [TEMP|TEMPORARY] TRIGGER`, a MySQL `CREATE [OR REPLACE]
/// [DEFINER = ...] [AGGREGATE] PROCEDURE|FUNCTION|TRIGGER|EVENT` or a MariaDB compound
/// statement (`[label:] BEGIN NOT ATOMIC|IF|CASE|LOOP|WHILE|REPEAT|FOR ...`).
fn has_body(sql: &str, tokens: &[Token], backend: Backend) -> bool {
    let kw = |i: usize, k: &str| is_kw(tokens.get(i), k);
    if backend == Backend::Mysql {
        // A label: `lbl: LOOP`.
        let at = if word(tokens.first()).is_some()
            && tokens.get(1).is_some_and(|t| &sql[t.start..t.end] == ":")
            && !kw(0, "CREATE")
        {
            2
        } else {
            0
        };
        if (kw(at, "BEGIN") && kw(at + 1, "NOT") && kw(at + 2, "ATOMIC"))
            || ["IF", "CASE", "LOOP", "WHILE", "REPEAT", "FOR"]
                .iter()
                .any(|k| kw(at, k))
        {
            return true;
        }
        // The kind comes within the first words, after `OR REPLACE`, a `DEFINER`
        // (`CURRENT_USER()` too) and `AGGREGATE`, before any other `(`.
        return kw(0, "CREATE")
            && (1..tokens.len().min(12))
                .take_while(|&i| {
                    tokens[i].tok != Tok::Semicolon
                        && (tokens[i].tok != Tok::Open || kw(i - 1, "CURRENT_USER"))
                })
                .any(|i| {
                    ["PROCEDURE", "FUNCTION", "TRIGGER", "EVENT"]
                        .iter()
                        .any(|k| kw(i, k))
                });
    }
    if !kw(0, "CREATE") {
        return false;
    }
    let mut i = 1;
    match backend {
        Backend::Postgres => {
            if kw(i, "OR") && kw(i + 1, "REPLACE") {
                i += 2;
            }
            kw(i, "FUNCTION") || kw(i, "PROCEDURE")
        }
        _ => {
            if kw(i, "TEMP") || kw(i, "TEMPORARY") {
                i += 1;
            }
            kw(i, "TRIGGER")
        }
    }
}

/// The text of the statement starting at `tokens[0]` when it is transaction control
/// (see [`transaction_control`]).
fn control_statement(sql: &str, tokens: &[Token], backend: Backend) -> Option<String> {
    let kw = |i: usize, k: &str| is_kw(tokens.get(i), k);
    let postgres = backend == Backend::Postgres;
    let control = kw(0, "BEGIN")
        || kw(0, "COMMIT")
        || kw(0, "END")
        || (kw(0, "ROLLBACK")
            && !kw(1, "TO")
            && !(kw(2, "TO") && (kw(1, "WORK") || kw(1, "TRANSACTION"))))
        || (kw(0, "START") && kw(1, "TRANSACTION"))
        || (postgres && (kw(0, "ABORT") || (kw(0, "PREPARE") && kw(1, "TRANSACTION"))));
    if !control {
        return None;
    }
    let end = tokens
        .iter()
        .position(|t| t.tok == Tok::Semicolon)
        .unwrap_or(tokens.len())
        .min(10);
    let text = &sql[tokens[0].start..tokens[end - 1].end];
    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// What a SQLite `CREATE TABLE` statement declares that a rebuild, which re-creates the
/// table from its columns, keys, constraints and indexes, would silently lose: `None`
/// when there is nothing of the kind.
#[cfg_attr(
    not(feature = "sqlite"),
    allow(dead_code, reason = "only online SQLite reads tables back")
)]
pub(crate) fn unkept_by_rebuild(create: &str) -> Option<&'static str> {
    let tokens = tokenize(create);
    let open = tokens.iter().position(|t| t.tok == Tok::Open)?;
    let close = matching(&tokens, open);
    let (body, options) = (&tokens[open + 1..close], &tokens[close + 1..]);
    if options.iter().any(|t| is_kw(Some(t), "WITHOUT")) {
        return Some("the `WITHOUT ROWID` option");
    }
    if options.iter().any(|t| is_kw(Some(t), "STRICT")) {
        return Some("the `STRICT` option");
    }
    let kw = |k: &str| body.iter().any(|t| is_kw(Some(t), k));
    if kw("COLLATE") {
        return Some("a `COLLATE` clause");
    }
    if kw("DEFERRABLE") {
        return Some("a `DEFERRABLE` foreign key");
    }
    if body
        .windows(2)
        .any(|w| is_kw(Some(&w[0]), "ON") && is_kw(Some(&w[1]), "CONFLICT"))
    {
        return Some("an `ON CONFLICT` clause");
    }
    None
}

/// The constraints of the table created by `sql` (a `CREATE TABLE` statement), as
/// table-level constraints; column-level ones are attributed to their column.
#[cfg_attr(
    not(feature = "sqlite"),
    allow(dead_code, reason = "only online SQLite reads tables back")
)]
pub(crate) fn constraints(sql: &str) -> Vec<Constraint> {
    let tokens = tokenize(sql);
    let Some(open) = tokens.iter().position(|t| t.tok == Tok::Open) else {
        return Vec::new();
    };
    let close = matching(&tokens, open);
    // Split the body at top-level commas.
    let mut items: Vec<&[Token]> = Vec::new();
    let (mut depth, mut from) = (0, open + 1);
    for i in open + 1..close {
        match tokens[i].tok {
            Tok::Open => depth += 1,
            Tok::Close => depth -= 1,
            Tok::Comma if depth == 0 => {
                items.push(&tokens[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    items.push(&tokens[from..close]);

    let mut out = Vec::new();
    for item in items {
        let table_level = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]
            .iter()
            .any(|kw| is_kw(item.first(), kw));
        if table_level {
            clauses(sql, item, 0, None, &mut out);
        } else if let Some(column) = word(item.first()) {
            clauses(sql, item, 1, Some(&column), &mut out);
        }
    }
    out
}

/// Reads the constraint clauses of `item` from `i`; `column` is set for a column
/// definition, whose clauses apply to that column.
fn clauses(
    sql: &str,
    item: &[Token],
    mut i: usize,
    column: Option<&str>,
    out: &mut Vec<Constraint>,
) {
    let mut name = None;
    while i < item.len() {
        let t = item.get(i);
        if is_kw(t, "CONSTRAINT") {
            name = word(item.get(i + 1));
            i += 2;
        } else if is_kw(t, "UNIQUE") {
            let columns = if item.get(i + 1).map(|t| &t.tok) == Some(&Tok::Open) {
                let (cols, next) = name_list(item, i + 1);
                i = next;
                cols
            } else {
                i += 1;
                column.map(|c| vec![c.to_owned()]).unwrap_or_default()
            };
            out.push(Constraint {
                name: name.take(),
                kind: ConstraintKind::Unique(columns),
            });
        } else if is_kw(t, "CHECK") && item.get(i + 1).map(|t| &t.tok) == Some(&Tok::Open) {
            let close = matching(item, i + 1);
            let expr = sql[item[i + 1].end..item[close].start].trim().to_owned();
            out.push(Constraint {
                name: name.take(),
                kind: ConstraintKind::Check(expr),
            });
            i = close + 1;
        } else if is_kw(t, "FOREIGN") && is_kw(item.get(i + 1), "KEY") {
            let (columns, next) = name_list(item, i + 2);
            i = next;
            if is_kw(item.get(i), "REFERENCES") {
                let (fk, next) = references(item, i, columns);
                i = next;
                out.push(Constraint {
                    name: name.take(),
                    kind: ConstraintKind::ForeignKey(fk),
                });
            }
        } else if is_kw(t, "REFERENCES") {
            let columns = column.map(|c| vec![c.to_owned()]).unwrap_or_default();
            let (fk, next) = references(item, i, columns);
            i = next;
            out.push(Constraint {
                name: name.take(),
                kind: ConstraintKind::ForeignKey(fk),
            });
        } else if item.get(i).map(|t| &t.tok) == Some(&Tok::Open) {
            i = matching(item, i) + 1;
        } else {
            if is_kw(t, "PRIMARY") || is_kw(t, "NOT") || is_kw(t, "DEFAULT") {
                // A named PRIMARY KEY/NOT NULL/DEFAULT: the pragmas cover these.
                name = None;
            }
            i += 1;
        }
    }
}

/// Reads `REFERENCES table [(columns)] [ON DELETE x] [ON UPDATE y] ...` at `i`.
fn references(item: &[Token], i: usize, columns: Vec<String>) -> (ForeignKey, usize) {
    let ref_table = word(item.get(i + 1)).unwrap_or_default();
    let mut i = i + 2;
    let mut ref_columns = Vec::new();
    if item.get(i).map(|t| &t.tok) == Some(&Tok::Open) {
        let (cols, next) = name_list(item, i);
        ref_columns = cols;
        i = next;
    }
    let (mut on_delete, mut on_update) = (None, None);
    while is_kw(item.get(i), "ON") {
        let which = word(item.get(i + 1))
            .unwrap_or_default()
            .to_ascii_uppercase();
        let first = word(item.get(i + 2))
            .unwrap_or_default()
            .to_ascii_uppercase();
        let (action, used) = match first.as_str() {
            "SET" | "NO" => {
                let second = word(item.get(i + 3)).unwrap_or_default();
                (Action::from_sql(&format!("{first} {second}")), 4)
            }
            _ => (Action::from_sql(&first), 3),
        };
        match which.as_str() {
            "DELETE" => on_delete = action,
            "UPDATE" => on_update = action,
            _ => {}
        }
        i += used;
    }
    (
        ForeignKey {
            columns,
            ref_table,
            ref_columns,
            on_delete,
            on_update,
        },
        i,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transaction_control_is_found_at_the_top_level() {
        let found = |sql: &str, backend| transaction_control(sql, backend);
        for backend in [Backend::Sqlite, Backend::Postgres] {
            for (sql, statement) in [
                (
                    "INSERT INTO t VALUES (1); COMMIT; INSERT INTO t VALUES (2)",
                    "COMMIT",
                ),
                ("begin;", "begin"),
                ("BEGIN TRANSACTION", "BEGIN TRANSACTION"),
                ("  end\n  transaction ;", "end transaction"),
                ("UPDATE t SET a = 1;\nROLLBACK", "ROLLBACK"),
                ("COMMIT AND CHAIN", "COMMIT AND CHAIN"),
                ("SELECT ';'; -- ;\n /* ; */ COMMIT", "COMMIT"),
                ("START TRANSACTION", "START TRANSACTION"),
                ("SELECT CASE WHEN a THEN 1 END FROM t; END", "END"),
                // Only a trigger's or function's body keeps its `;`s.
                ("CREATE TABLE spans (id INT); BEGIN", "BEGIN"),
            ] {
                assert_eq!(
                    found(sql, backend).as_deref(),
                    Some(statement),
                    "{backend}: {sql}"
                );
            }
            for sql in [
                "INSERT INTO t VALUES ('COMMIT'); SELECT 1",
                "SELECT \"commit\" FROM t",
                "-- COMMIT\nSELECT 1",
                "/* ROLLBACK */ SELECT 1",
                "SELECT CASE WHEN a THEN 'x' END FROM t",
                "SAVEPOINT s; ROLLBACK TO s; ROLLBACK TRANSACTION TO SAVEPOINT s; RELEASE s",
                "CREATE TABLE spans (\"begin\" INT, \"end\" INT)",
                "UPDATE t SET committed = 1 WHERE ended",
            ] {
                assert_eq!(found(sql, backend), None, "{backend}: {sql}");
            }
        }
        // A SQLite trigger body, with a `CASE ... END` inside it.
        let trigger = "CREATE TEMP TRIGGER tr AFTER INSERT ON t BEGIN \
                       UPDATE t SET a = CASE WHEN new.a > 0 THEN 1 ELSE 0 END; \
                       DELETE FROM u; END; SELECT 1";
        assert_eq!(found(trigger, Backend::Sqlite), None);
        assert_eq!(
            found(&format!("{trigger}; COMMIT"), Backend::Sqlite).as_deref(),
            Some("COMMIT")
        );
        // SQLite comments do not nest; PostgreSQL's do.
        assert_eq!(
            found("/* /* */ COMMIT", Backend::Sqlite).as_deref(),
            Some("COMMIT")
        );
        assert_eq!(
            found("/* /* */ COMMIT */ SELECT 1", Backend::Postgres),
            None
        );
        // PostgreSQL: PL/pgSQL in dollar quotes, `BEGIN ATOMIC` bodies, escape strings.
        for sql in [
            "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             UPDATE t SET a = 1; COMMIT; RETURN NEW; END $$; SELECT 1",
            "DO $body$ BEGIN PERFORM 1; END $body$",
            "CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC \
             INSERT INTO t VALUES (1); SELECT CASE WHEN 1 = 1 THEN 2 END; END; SELECT 1",
            "SELECT E'it\\'s; COMMIT; '",
            "SELECT $1::text, a$b FROM t",
            "SELECT arr[1] FROM t",
        ] {
            assert_eq!(found(sql, Backend::Postgres), None, "{sql}");
        }
        assert_eq!(
            found(
                "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END; ABORT",
                Backend::Postgres
            )
            .as_deref(),
            Some("ABORT")
        );
        assert_eq!(
            found("PREPARE TRANSACTION 'x'", Backend::Postgres).as_deref(),
            Some("PREPARE TRANSACTION 'x'")
        );
        assert_eq!(found("ABORT", Backend::Sqlite), None, "not SQLite's");
    }

    /// `(text, compound)` of each statement `split` finds.
    fn split_mysql(sql: &str) -> Vec<(&str, bool)> {
        split(sql, Backend::Mysql)
            .into_iter()
            .map(|s| (s.text, s.compound))
            .collect()
    }

    #[test]
    fn mysql_compound_statements_are_kept_whole() {
        let procedure = "CREATE DEFINER = CURRENT_USER() PROCEDURE fill(IN n INT)\n\
             outer_block: BEGIN\n\
               DECLARE i INT DEFAULT 0;\n\
               DECLARE CONTINUE HANDLER FOR SQLSTATE '23000' BEGIN SET i = i + 1; END;\n\
               DROP TEMPORARY TABLE IF EXISTS scratch;\n\
               CREATE TEMPORARY TABLE IF NOT EXISTS scratch (a INT);\n\
               IF NOT EXISTS (SELECT 1 FROM t) THEN INSERT INTO t VALUES (0); END IF;\n\
               IF (n > 0) THEN SET i = IF(n > 9, 9, n); ELSEIF n < 0 THEN SET i = 0; \
                 ELSE IF n = 0 THEN SET i = 1; END IF; END IF;\n\
               WHILE i < n DO\n\
                 INSERT INTO t (label) VALUES (REPEAT('x', i)); # a ; comment END IF\n\
                 SET i = i + 1; -- another; END\n\
                 CASE WHEN i > 5 THEN SET i = i + 0; ELSE BEGIN SELECT 'it\\'s; END'; END; END CASE;\n\
               END WHILE;\n\
               spin: LOOP SET i = i - 1; IF i <= 0 THEN LEAVE spin; END IF; END LOOP spin;\n\
               REPEAT SET i = i + 1; UNTIL i >= 3 END REPEAT;\n\
               SET @x = (CASE WHEN i = 3 THEN 'a;b' END), @y = \"d\\\";q\";\n\
               UPDATE t SET t.end = t.begin;\n\
             END outer_block";
        let sql = format!("CREATE TABLE t (a INT); {procedure}; INSERT INTO t VALUES (1);");
        assert_eq!(
            split_mysql(&sql),
            [
                ("CREATE TABLE t (a INT)", false),
                (procedure, true),
                ("INSERT INTO t VALUES (1)", false),
            ]
        );
        for (sql, count) in [
            // A trigger whose body is a bare `IF`, an event, `OR REPLACE ... AGGREGATE`.
            (
                "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW IF NEW.a < 0 THEN \
                 SET NEW.a = 0; END IF; SELECT 1",
                2,
            ),
            (
                "CREATE EVENT IF NOT EXISTS e ON SCHEDULE EVERY 1 DAY DO BEGIN \
                 DELETE FROM t; DELETE FROM u; END; SELECT 1",
                2,
            ),
            (
                "CREATE OR REPLACE AGGREGATE FUNCTION f(x INT) RETURNS INT BEGIN \
                 DECLARE s INT DEFAULT 0; RETURN s; END; SELECT f(1)",
                2,
            ),
            // MariaDB's compound statements outside a program.
            ("BEGIN NOT ATOMIC SELECT 1; SELECT 2; END; SELECT 3", 2),
            ("IF (SELECT 1) THEN SELECT 1; END IF; SELECT 2", 2),
            ("lbl: FOR i IN 1..3 DO SELECT i; END FOR lbl; SELECT 2", 2),
        ] {
            let found = split_mysql(sql);
            assert_eq!(found.len(), count, "{sql}: {found:?}");
            assert!(found[0].1 && !found[1].1, "{sql}: {found:?}");
        }
        // Plain statements: `BEGIN` is a transaction, `--` needs a space.
        assert_eq!(
            split_mysql("BEGIN; INSERT INTO t VALUES (1--1); COMMIT"),
            [
                ("BEGIN", false),
                ("INSERT INTO t VALUES (1--1)", false),
                ("COMMIT", false),
            ]
        );
        // Comments before a statement stay with it; a lone one at the end is no statement.
        assert_eq!(
            split_mysql("-- first; not split\nSELECT 1; # done;\n;; /* trailing */"),
            [("-- first; not split\nSELECT 1", false)]
        );
        assert_eq!(
            split_mysql("SELECT 'a\\';b'; SELECT \"\\\\\"; SELECT `x;``y`"),
            [
                ("SELECT 'a\\';b'", false),
                ("SELECT \"\\\\\"", false),
                ("SELECT `x;``y`", false)
            ]
        );
    }

    #[test]
    fn renames_reach_columns_but_not_strings_or_functions() {
        assert_eq!(
            rename_in_expression("qty > 0 AND length(qty) < 9 AND note <> 'qty'", "qty", "n"),
            "\"n\" > 0 AND length(\"n\") < 9 AND note <> 'qty'"
        );
        assert_eq!(rename_in_expression("\"QTY\" > 0", "qty", "n"), "\"n\" > 0");
    }

    #[test]
    fn index_mentions_read_the_keys_and_the_predicate_not_the_names() {
        let sql = r#"CREATE UNIQUE INDEX IF NOT EXISTS "email" ON "users" (lower(email), "Org") WHERE deleted_at IS NULL"#;
        assert!(index_mentions(sql, "email"), "inside lower(...)");
        assert!(index_mentions(sql, "org"));
        assert!(index_mentions(sql, "deleted_at"), "in the predicate");
        assert!(!index_mentions(sql, "users"), "the table's name");
        assert!(!index_mentions(sql, "lower"), "a function");
        let named_like_a_column = "CREATE INDEX code ON t (name COLLATE NOCASE)";
        assert!(!index_mentions(named_like_a_column, "code"));
        assert!(index_mentions(named_like_a_column, "name"));
    }

    #[test]
    fn mentions_finds_names_quoted_or_not_but_not_the_objects_own_name() {
        let view =
            r#"CREATE VIEW IF NOT EXISTS main.note AS SELECT "Qty", [my col] FROM items -- note"#;
        assert!(mentions(view, "items"));
        assert!(mentions(view, "qty"));
        assert!(mentions(view, "my col"));
        assert!(!mentions(view, "note"), "the view's own name or a comment");
        assert!(!mentions(view, "item"));
        let trigger = "CREATE TRIGGER qty AFTER UPDATE OF qty ON items BEGIN SELECT 'name'; END";
        assert!(
            mentions(trigger, "qty"),
            "the column after the trigger's name"
        );
        assert!(!mentions(trigger, "name"), "a string literal");
    }

    #[test]
    fn reads_table_and_column_constraints() {
        let sql = r#"CREATE TABLE "t" (
            "id" INTEGER PRIMARY KEY AUTOINCREMENT,
            a TEXT NOT NULL CONSTRAINT uq_a UNIQUE,
            b INTEGER REFERENCES p (id) ON DELETE SET NULL CHECK (b > 0),
            "we""ird" TEXT DEFAULT 'x,y',
            CONSTRAINT "ck_(odd)" CHECK (length(a) > 1 AND a <> ','),
            CONSTRAINT fk_b FOREIGN KEY (b, a) REFERENCES p (id, name) ON UPDATE CASCADE ON DELETE NO ACTION,
            UNIQUE (a, "we""ird")
        )"#;
        let c = constraints(sql);
        assert_eq!(c.len(), 6, "{c:#?}");
        assert_eq!(c[0], Constraint::unique("uq_a", ["a"]));
        assert_eq!(
            c[1].kind,
            ConstraintKind::ForeignKey(ForeignKey {
                columns: vec!["b".into()],
                ref_table: "p".into(),
                ref_columns: vec!["id".into()],
                on_delete: Some(Action::SetNull),
                on_update: None,
            })
        );
        assert_eq!(c[2].kind, ConstraintKind::Check("b > 0".into()));
        assert_eq!(
            c[3],
            Constraint::check("ck_(odd)", "length(a) > 1 AND a <> ','")
        );
        assert_eq!(
            c[4],
            Constraint::foreign_key("fk_b", ["b", "a"], "p", ["id", "name"])
                .on_update(Action::Cascade)
                .on_delete(Action::NoAction)
        );
        assert_eq!(
            c[5].kind,
            ConstraintKind::Unique(vec!["a".into(), "we\"ird".into()])
        );
        assert_eq!(c[5].name, None);
    }
}
