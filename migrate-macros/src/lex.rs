//! A lexer for [`crate::scan`]: the tokens of a Rust file as proc-macro2's fallback lexer cuts
//! them, kept as byte ranges in one flat list instead of a `TokenStream`.
//!
//! The scan runs in the proc macro, which debug builds compile unoptimized together with
//! proc-macro2 and syn; lexing every file of a migrations folder through them was a large part
//! of the build. This lexer accepts and rejects exactly what proc-macro2's does (the same
//! literals, escapes, comments and doc comments), so a file the compiler would not lex still
//! scans as `None`, and it keeps the text of every token, which is all the scan needs.

/// A delimiter of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delim {
    /// `( ... )`
    Paren,
    /// `[ ... ]`
    Bracket,
    /// `{ ... }`
    Brace,
}

impl Delim {
    /// The opening and closing characters.
    pub fn chars(self) -> (char, char) {
        match self {
            Delim::Paren => ('(', ')'),
            Delim::Bracket => ('[', ']'),
            Delim::Brace => ('{', '}'),
        }
    }
}

/// What a [`Token`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An identifier or keyword, raw ones with their `r#`.
    Ident,
    /// One punctuation character; a lifetime is `'` followed by an [`Kind::Ident`].
    Punct(u8),
    /// A literal, suffix included.
    Literal,
    /// The start of a group; [`Token::close`] is the index of its end.
    Open(Delim),
    /// The end of a group.
    Close(Delim),
    /// A doc comment: `#[doc = "..."]`, or `#![doc = "..."]` when `inner`, for proc-macro2.
    /// [`Token::text`] is its text.
    Doc {
        /// `//!` or `/*!`.
        inner: bool,
    },
}

/// One token: a leaf, a doc comment or a delimiter.
#[derive(Debug, Clone)]
pub struct Token {
    /// What it is.
    pub kind: Kind,
    /// Byte offset of its first character.
    pub start: usize,
    /// Byte offset just past it.
    pub end: usize,
    /// For [`Kind::Open`], the index of the matching [`Kind::Close`].
    pub close: usize,
    /// For [`Kind::Doc`], the byte range of the comment's text (what proc-macro2 puts in
    /// the `doc` string).
    pub text: (usize, usize),
}

impl Token {
    /// Whether it is the punctuation character `c`.
    pub fn is_punct(&self, c: u8) -> bool {
        self.kind == Kind::Punct(c)
    }
}

/// The tokens of `src`, or `None` when proc-macro2 would not lex it (unbalanced delimiters,
/// an unterminated literal or comment, an invalid escape...). Like `syn::parse_file`, a leading
/// byte order mark and a shebang line are skipped.
pub fn lex(src: &str) -> Option<Vec<Token>> {
    let b = src.as_bytes();
    let mut i = 0;
    if src.starts_with('\u{feff}') {
        i = 3;
    }
    if src[i..].starts_with("#!") && !src[skip_ws(src, i + 2)..].starts_with('[') {
        i = src[i..].find('\n').map_or(src.len(), |n| i + n);
    }
    let mut lexer = Lexer {
        tokens: Vec::with_capacity(src.len() / 6),
    };
    let mut open: Vec<usize> = Vec::new();
    loop {
        i = skip_ws(src, i);
        if let Some((end, inner, text)) = doc_comment(src, i) {
            lexer.push(Kind::Doc { inner }, i, end, text);
            i = end;
            continue;
        }
        let Some(&first) = b.get(i) else {
            return open.is_empty().then_some(lexer.tokens);
        };
        let delim = match first {
            b'(' | b')' if !src[i..].starts_with(ERROR) => Some(Delim::Paren),
            b'[' | b']' => Some(Delim::Bracket),
            b'{' | b'}' => Some(Delim::Brace),
            _ => None,
        };
        if let Some(delim) = delim {
            if matches!(first, b'(' | b'[' | b'{') {
                open.push(lexer.tokens.len());
                lexer.push(Kind::Open(delim), i, i + 1, (0, 0));
            } else {
                let start = open.pop()?;
                if lexer.tokens[start].kind != Kind::Open(delim) {
                    return None;
                }
                let close = lexer.tokens.len();
                lexer.tokens[start].close = close;
                lexer.push(Kind::Close(delim), i, i + 1, (0, 0));
            }
            i += 1;
            continue;
        }
        let (kind, end) = if let Some(end) = plain_ident(b, i) {
            (Kind::Ident, end)
        } else if let Some(end) = literal(src, i) {
            (Kind::Literal, end)
        } else if let Some(end) = punct(src, i) {
            (Kind::Punct(first), end)
        } else if let Some(end) = ident(src, i) {
            (Kind::Ident, end)
        } else if src[i..].starts_with(ERROR) {
            (Kind::Literal, i + ERROR.len())
        } else {
            return None;
        };
        lexer.push(kind, i, end, (0, 0));
        i = end;
    }
}

/// Rustc's representation of a macro expansion error, which proc-macro2 lexes as a literal.
const ERROR: &str = "(/*ERROR*/)";

struct Lexer {
    tokens: Vec<Token>,
}

impl Lexer {
    fn push(&mut self, kind: Kind, start: usize, end: usize, text: (usize, usize)) {
        self.tokens.push(Token {
            kind,
            start,
            end,
            close: 0,
            text,
        });
    }
}

/// The 1-based line of byte `offset` of `src`, as proc-macro2 counts them.
pub fn line_of(src: &str, offset: usize) -> usize {
    // `matches` searches with the standard library's memchr, optimized even in debug builds.
    1 + src[..offset].matches('\n').count()
}

/// The end of the identifier at `i` when it is plain ASCII and cannot be the prefix of a
/// literal (`r"`, `b'`, `c"`...): the common case, without the general path's checks.
fn plain_ident(b: &[u8], i: usize) -> Option<usize> {
    let first = b[i];
    if !(first.is_ascii_alphabetic() || first == b'_') {
        return None;
    }
    let second = b.get(i + 1).copied().unwrap_or(b' ');
    if matches!(first, b'r' | b'b' | b'c') && matches!(second, b'"' | b'#' | b'\'' | b'r') {
        return None;
    }
    let mut j = i + 1;
    while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
        j += 1;
    }
    // A non-ASCII character may continue it: the general path decides.
    (j == b.len() || b[j].is_ascii()).then_some(j)
}

fn char_at(src: &str, i: usize) -> Option<char> {
    match src.as_bytes().get(i) {
        Some(&byte) if byte.is_ascii() => return Some(char::from(byte)),
        _ => {}
    }
    src.get(i..)?.chars().next()
}

fn is_ident_start(ch: char) -> bool {
    if ch.is_ascii() {
        ch == '_' || ch.is_ascii_alphabetic()
    } else {
        unicode_ident(ch, true)
    }
}

fn is_ident_continue(ch: char) -> bool {
    if ch.is_ascii() {
        ch == '_' || ch.is_ascii_alphanumeric()
    } else {
        unicode_ident(ch, false)
    }
}

/// Whether proc-macro2 lexes `ch` as part of an identifier (`XID_Start`/`XID_Continue`). Asked
/// of proc-macro2 itself, which is rare enough: only for non-ASCII characters outside strings
/// and comments.
fn unicode_ident(ch: char, start: bool) -> bool {
    let text = if start {
        ch.to_string()
    } else {
        format!("a{ch}")
    };
    let Ok(tokens) = text.parse::<proc_macro2::TokenStream>() else {
        return false;
    };
    let mut tokens = tokens.into_iter();
    match (tokens.next(), tokens.next()) {
        (Some(proc_macro2::TokenTree::Ident(ident)), None) => ident == text,
        _ => false,
    }
}

fn is_whitespace(ch: char) -> bool {
    // Rust treats left-to-right mark and right-to-left mark as whitespace
    ch.is_whitespace() || ch == '\u{200e}' || ch == '\u{200f}'
}

/// Skips whitespace and comments other than doc comments; stops at an unterminated block
/// comment, which then fails to lex.
fn skip_ws(src: &str, mut i: usize) -> usize {
    let b = src.as_bytes();
    while let Some(&byte) = b.get(i) {
        if matches!(byte, b' ' | 0x09..=0x0d) {
            i += 1;
            continue;
        }
        if byte != b'/' && byte.is_ascii() {
            return i;
        }
        let s = &src[i..];
        if byte == b'/' {
            if s.starts_with("//")
                && (!s.starts_with("///") || s.starts_with("////"))
                && !s.starts_with("//!")
            {
                i = line_end(src, i).0;
                continue;
            } else if s.starts_with("/**/") {
                i += 4;
                continue;
            } else if s.starts_with("/*")
                && (!s.starts_with("/**") || s.starts_with("/***"))
                && !s.starts_with("/*!")
            {
                match block_comment(src, i) {
                    Some(end) => {
                        i = end;
                        continue;
                    }
                    None => return i,
                }
            }
        }
        match byte {
            b' ' | 0x09..=0x0d => {
                i += 1;
                continue;
            }
            b if b.is_ascii() => {}
            _ => {
                let ch = char_at(src, i).unwrap_or_default();
                if is_whitespace(ch) {
                    i += ch.len_utf8();
                    continue;
                }
            }
        }
        return i;
    }
    i
}

/// Where the line comment at `i` ends (at its `\n`, or at the `\r` of a `\r\n`, which is
/// not part of its text) and the end of its text.
fn line_end(src: &str, i: usize) -> (usize, usize) {
    let b = src.as_bytes();
    let mut j = i;
    while j < b.len() {
        if b[j] == b'\n' {
            return (j, j);
        }
        if b[j] == b'\r' && b.get(j + 1) == Some(&b'\n') {
            return (j + 1, j);
        }
        j += 1;
    }
    (j, j)
}

/// The end of the (nested) block comment at `i`.
fn block_comment(src: &str, i: usize) -> Option<usize> {
    let b = &src.as_bytes()[i..];
    if !b.starts_with(b"/*") {
        return None;
    }
    let mut depth = 0usize;
    let mut k = 0;
    while k + 1 < b.len() {
        if b[k] == b'/' && b[k + 1] == b'*' {
            depth += 1;
            k += 1;
        } else if b[k] == b'*' && b[k + 1] == b'/' {
            depth -= 1;
            if depth == 0 {
                return Some(i + k + 2);
            }
            k += 1;
        }
        k += 1;
    }
    None
}

/// The doc comment at `i`: its end, whether it is inner, and its text's range.
fn doc_comment(src: &str, i: usize) -> Option<(usize, bool, (usize, usize))> {
    if src.as_bytes().get(i) != Some(&b'/') {
        return None;
    }
    let s = &src[i..];
    let (end, inner, text) = if s.starts_with("//!") || s.starts_with("///") {
        if s.starts_with("////") {
            return None;
        }
        let (end, text_end) = line_end(src, i + 3);
        (end, s.starts_with("//!"), (i + 3, text_end))
    } else if s.starts_with("/*!") || (s.starts_with("/**") && !s[3..].starts_with('*')) {
        let end = block_comment(src, i)?;
        (end, s.starts_with("/*!"), (i + 3, end - 2))
    } else {
        return None;
    };
    // proc-macro2 rejects a carriage return not followed by a line feed.
    let body = &src.as_bytes()[text.0..text.1];
    for (k, &byte) in body.iter().enumerate() {
        if byte == b'\r' && body.get(k + 1) != Some(&b'\n') {
            return None;
        }
    }
    Some((end, inner, text))
}

fn ident(src: &str, i: usize) -> Option<usize> {
    const LITERAL_PREFIXES: [&str; 10] = [
        "r\"", "r#\"", "r##", "b\"", "b\'", "br\"", "br#", "c\"", "cr\"", "cr#",
    ];
    let s = &src[i..];
    if LITERAL_PREFIXES.iter().any(|p| s.starts_with(p)) {
        return None;
    }
    ident_any(src, i)
}

fn ident_any(src: &str, i: usize) -> Option<usize> {
    let raw = src[i..].starts_with("r#");
    let start = if raw { i + 2 } else { i };
    let end = ident_not_raw(src, start)?;
    if raw && matches!(&src[start..end], "_" | "super" | "self" | "Self" | "crate") {
        return None;
    }
    Some(end)
}

fn ident_not_raw(src: &str, i: usize) -> Option<usize> {
    let mut chars = src[i..].char_indices();
    match chars.next() {
        Some((_, ch)) if is_ident_start(ch) => {}
        _ => return None,
    }
    for (k, ch) in chars {
        if !is_ident_continue(ch) {
            return Some(i + k);
        }
    }
    Some(src.len())
}

fn literal_suffix(src: &str, i: usize) -> usize {
    match src.as_bytes().get(i) {
        Some(&c) if c.is_ascii() && !(c.is_ascii_alphabetic() || c == b'_') => i,
        None => i,
        _ => ident_not_raw(src, i).unwrap_or(i),
    }
}

fn word_break(src: &str, i: usize) -> Option<usize> {
    match char_at(src, i) {
        Some(ch) if is_ident_continue(ch) => None,
        _ => Some(i),
    }
}

/// The end of the literal at `i`.
fn literal(src: &str, i: usize) -> Option<usize> {
    let b = src.as_bytes();
    let next = b.get(i + 1).copied();
    match b[i] {
        b'"' => cooked(src, i + 1, Cooked::Str),
        b'r' => raw(src, i + 1, Raw::Str),
        b'b' => match next {
            Some(b'"') => cooked(src, i + 2, Cooked::Bytes),
            Some(b'r') => raw(src, i + 2, Raw::Bytes),
            Some(b'\'') => byte(src, i + 2),
            _ => None,
        },
        b'c' => match next {
            Some(b'"') => cooked(src, i + 2, Cooked::C),
            Some(b'r') => raw(src, i + 2, Raw::C),
            _ => None,
        },
        b'\'' => character(src, i + 1),
        b'0'..=b'9' => float(src, i).or_else(|| int(src, i)),
        _ => None,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Cooked {
    Str,
    Bytes,
    C,
}

/// The end of a `"..."`, `b"..."` or `c"..."` literal whose content starts at `j`.
fn cooked(src: &str, mut j: usize, kind: Cooked) -> Option<usize> {
    let b = src.as_bytes();
    loop {
        let byte = *b.get(j)?;
        match byte {
            b'"' => return Some(literal_suffix(src, j + 1)),
            b'\r' => {
                if b.get(j + 1) != Some(&b'\n') {
                    return None;
                }
                j += 2;
            }
            b'\\' => {
                let esc = *b.get(j + 1)?;
                j += 2;
                match esc {
                    b'x' => {
                        let (hi, lo) = (*b.get(j)?, *b.get(j + 1)?);
                        let ok = match kind {
                            Cooked::Str => matches!(hi, b'0'..=b'7') && lo.is_ascii_hexdigit(),
                            Cooked::Bytes => hi.is_ascii_hexdigit() && lo.is_ascii_hexdigit(),
                            Cooked::C => {
                                hi.is_ascii_hexdigit()
                                    && lo.is_ascii_hexdigit()
                                    && !(hi == b'0' && lo == b'0')
                            }
                        };
                        if !ok {
                            return None;
                        }
                        j += 2;
                    }
                    b'n' | b'r' | b't' | b'\\' | b'\'' | b'"' => {}
                    b'0' if kind != Cooked::C => {}
                    b'u' if kind != Cooked::Bytes => {
                        let (end, ch) = backslash_u(b, j)?;
                        if kind == Cooked::C && ch == '\0' {
                            return None;
                        }
                        j = end;
                    }
                    b'\n' | b'\r' => j = trailing_backslash(b, j, esc)?,
                    _ => return None,
                }
            }
            0 if kind == Cooked::C => return None,
            b if !b.is_ascii() && kind == Cooked::Bytes => return None,
            _ => j += 1,
        }
    }
}

/// After `\u`: the end of `{...}` and the character it names.
fn backslash_u(b: &[u8], mut j: usize) -> Option<(usize, char)> {
    if *b.get(j)? != b'{' {
        return None;
    }
    j += 1;
    let mut value = 0u32;
    let mut len = 0;
    loop {
        let c = *b.get(j)?;
        j += 1;
        let digit = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => 10 + c - b'a',
            b'A'..=b'F' => 10 + c - b'A',
            b'_' if len > 0 => continue,
            b'}' if len > 0 => return char::from_u32(value).map(|ch| (j, ch)),
            _ => return None,
        };
        if len == 6 {
            return None;
        }
        value = value * 0x10 + u32::from(digit);
        len += 1;
    }
}

/// After a backslash and the line break `last` at `j - 1`: where the string goes on.
fn trailing_backslash(b: &[u8], mut j: usize, mut last: u8) -> Option<usize> {
    loop {
        if last == b'\r' {
            if b.get(j) != Some(&b'\n') {
                return None;
            }
            j += 1;
        }
        match b.get(j) {
            Some(&c @ (b' ' | b'\t' | b'\n' | b'\r')) => {
                last = c;
                j += 1;
            }
            Some(_) => return Some(j),
            None => return None,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Raw {
    Str,
    Bytes,
    C,
}

/// The end of a raw literal whose `#`s start at `j` (after `r`, `br` or `cr`).
fn raw(src: &str, j: usize, kind: Raw) -> Option<usize> {
    let b = src.as_bytes();
    let hashes = b[j..].iter().take_while(|&&c| c == b'#').count();
    if b.get(j + hashes) != Some(&b'"') || hashes > 255 {
        return None;
    }
    let delimiter = &b[j..j + hashes];
    let mut k = j + hashes + 1;
    while let Some(&c) = b.get(k) {
        match c {
            b'"' if b[k + 1..].starts_with(delimiter) => {
                return Some(literal_suffix(src, k + 1 + hashes));
            }
            b'\r' => {
                if b.get(k + 1) != Some(&b'\n') {
                    return None;
                }
                k += 1;
            }
            0 if kind == Raw::C => return None,
            c if !c.is_ascii() && kind == Raw::Bytes => return None,
            _ => {}
        }
        k += 1;
    }
    None
}

/// The end of a `b'.'` literal whose content starts at `j`.
fn byte(src: &str, mut j: usize) -> Option<usize> {
    let b = src.as_bytes();
    match *b.get(j)? {
        b'\\' => match *b.get(j + 1)? {
            b'x' => {
                if !(b.get(j + 2)?.is_ascii_hexdigit() && b.get(j + 3)?.is_ascii_hexdigit()) {
                    return None;
                }
                j += 4;
            }
            b'n' | b'r' | b't' | b'\\' | b'0' | b'\'' | b'"' => j += 2,
            _ => return None,
        },
        _ => j += 1,
    }
    if j >= b.len() || !src.is_char_boundary(j) || b[j] != b'\'' {
        return None;
    }
    Some(literal_suffix(src, j + 1))
}

/// The end of a `'.'` literal whose content starts at `j`.
fn character(src: &str, mut j: usize) -> Option<usize> {
    let b = src.as_bytes();
    let first = char_at(src, j)?;
    if first == '\\' {
        match *b.get(j + 1)? {
            b'x' => {
                if !(matches!(b.get(j + 2)?, b'0'..=b'7') && b.get(j + 3)?.is_ascii_hexdigit()) {
                    return None;
                }
                j += 4;
            }
            b'u' => j = backslash_u(b, j + 2)?.0,
            b'n' | b'r' | b't' | b'\\' | b'0' | b'\'' | b'"' => j += 2,
            _ => return None,
        }
    } else {
        j += first.len_utf8();
    }
    if b.get(j) != Some(&b'\'') {
        return None;
    }
    Some(literal_suffix(src, j + 1))
}

fn float(src: &str, i: usize) -> Option<usize> {
    let mut end = float_digits(src, i)?;
    if char_at(src, end).is_some_and(is_ident_start) {
        end = ident_not_raw(src, end)?;
    }
    word_break(src, end)
}

fn float_digits(src: &str, i: usize) -> Option<usize> {
    let b = src.as_bytes();
    if !b.get(i)?.is_ascii_digit() {
        return None;
    }
    let mut j = i + 1;
    let mut has_dot = false;
    let mut has_exp = false;
    while let Some(&c) = b.get(j) {
        match c {
            b'0'..=b'9' | b'_' => j += 1,
            b'.' => {
                if has_dot {
                    break;
                }
                if char_at(src, j + 1).is_some_and(|ch| ch == '.' || is_ident_start(ch)) {
                    return None;
                }
                j += 1;
                has_dot = true;
            }
            b'e' | b'E' => {
                j += 1;
                has_exp = true;
                break;
            }
            _ => break,
        }
    }
    if !(has_dot || has_exp) {
        return None;
    }
    if has_exp {
        let before_exp = has_dot.then_some(j - 1);
        let mut has_sign = false;
        let mut has_value = false;
        while let Some(&c) = b.get(j) {
            match c {
                b'+' | b'-' => {
                    if has_value {
                        break;
                    }
                    if has_sign {
                        return before_exp;
                    }
                    j += 1;
                    has_sign = true;
                }
                b'0'..=b'9' => {
                    j += 1;
                    has_value = true;
                }
                b'_' => j += 1,
                _ => break,
            }
        }
        if !has_value {
            return before_exp;
        }
    }
    Some(j)
}

fn int(src: &str, i: usize) -> Option<usize> {
    let b = src.as_bytes();
    let (base, mut j) = match b.get(i..i + 2) {
        Some(b"0x") => (16, i + 2),
        Some(b"0o") => (8, i + 2),
        Some(b"0b") => (2, i + 2),
        _ => (10, i),
    };
    let mut empty = true;
    while let Some(&c) = b.get(j) {
        let digit = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'a'..=b'f' => u32::from(10 + c - b'a'),
            b'A'..=b'F' => u32::from(10 + c - b'A'),
            b'_' => {
                if empty && base == 10 {
                    return None;
                }
                j += 1;
                continue;
            }
            _ => break,
        };
        if digit >= base {
            if c.is_ascii_digit() {
                return None;
            }
            break;
        }
        j += 1;
        empty = false;
    }
    if empty {
        return None;
    }
    let mut end = j;
    if char_at(src, end).is_some_and(is_ident_start) {
        end = ident_not_raw(src, end)?;
    }
    word_break(src, end)
}

fn is_punct_char(src: &str, i: usize) -> bool {
    let b = src.as_bytes();
    match b.get(i) {
        // Not the `/` of a comment.
        Some(b'/') => !matches!(b.get(i + 1), Some(b'/' | b'*')),
        Some(
            b'~' | b'!' | b'@' | b'#' | b'$' | b'%' | b'^' | b'&' | b'*' | b'-' | b'=' | b'+'
            | b'|' | b';' | b':' | b',' | b'<' | b'.' | b'>' | b'?' | b'\'',
        ) => true,
        _ => false,
    }
}

/// The end of the punctuation character at `i`; a `'` only when it starts a lifetime.
fn punct(src: &str, i: usize) -> Option<usize> {
    if !is_punct_char(src, i) {
        return None;
    }
    if src.as_bytes()[i] == b'\'' {
        let after = ident_any(src, i + 1)?;
        let rest = &src[after..];
        if rest.starts_with('\'') || (rest.starts_with('#') && !src[i + 1..].starts_with("r#")) {
            return None;
        }
    }
    Some(i + 1)
}
