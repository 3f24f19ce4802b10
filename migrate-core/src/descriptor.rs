//! The text form in which `migrations!` hands a folder's migration descriptors to the
//! runtime: one string literal for the whole folder instead of a struct literal per
//! migration, because the compiler type-checks a literal in no time and a thousand struct
//! literals in a noticeable part of a build.
//!
//! A folder's text is its descriptors one after another. Strings are written as their byte
//! length, `:`, and the bytes (so any text round-trips, separators included); a list is its
//! length, `:`, and its strings; the flags are one digit; the line is its decimal value and
//! `;`. The format belongs to one version of migrate: the macro and the runtime that read it
//! are always built together.

use std::fmt::Write as _;

/// Separates the names in the list of the files `migrations!` compiled from a folder,
/// which it hands to the runtime beside the descriptors: no file name holds it.
pub const FILE_SEPARATOR: char = '/';

/// What `#[migration]` declares about one migration, minus its functions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Descriptor<'a> {
    /// `revision = "..."`.
    pub revision: &'a str,
    /// `revises`.
    pub revises: Vec<&'a str>,
    /// `depends_on`.
    pub depends_on: Vec<&'a str>,
    /// `branch_labels`.
    pub branch_labels: Vec<&'a str>,
    /// The message: `message = "..."` or the doc comment.
    pub message: &'a str,
    /// Whether a downgrade function is given.
    pub reversible: bool,
    /// `transactional = false` clears it.
    pub transactional: bool,
    /// Hex digest of the code.
    pub checksum: &'a str,
    /// The file's name within its folder.
    pub file: &'a str,
    /// The line of the `#[migration]` attribute.
    pub line: u32,
}

/// Malformed descriptor text: a macro and a runtime of different versions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "malformed migration descriptors at byte {at}: `migrate-macros` and `migrate-runtime` \
     come from different versions; depend on `migrate-runtime` alone, which re-exports the \
     macros"
)]
pub struct DecodeError {
    /// Where decoding stopped.
    pub at: usize,
}

impl Descriptor<'_> {
    /// Appends this descriptor's text to `out`.
    pub fn encode(&self, out: &mut String) {
        let string = |out: &mut String, s: &str| {
            let _ = write!(out, "{}:{s}", s.len());
        };
        let list = |out: &mut String, items: &[&str]| {
            let _ = write!(out, "{}:", items.len());
            for item in items {
                string(out, item);
            }
        };
        string(out, self.revision);
        list(out, &self.revises);
        list(out, &self.depends_on);
        list(out, &self.branch_labels);
        string(out, self.message);
        out.push(char::from(
            b'0' + u8::from(self.reversible) + 2 * u8::from(self.transactional),
        ));
        string(out, self.checksum);
        string(out, self.file);
        let _ = write!(out, "{};", self.line);
    }

    /// The descriptors of `text`, in order.
    pub fn decode_all(text: &str) -> DecodeAll<'_> {
        DecodeAll { text, at: 0 }
    }
}

/// The iterator of [`Descriptor::decode_all`].
#[derive(Debug)]
pub struct DecodeAll<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> DecodeAll<'a> {
    fn fail<T>(&mut self) -> Result<T, DecodeError> {
        let at = self.at;
        // Stop after the first error.
        self.at = self.text.len();
        Err(DecodeError { at })
    }

    /// A decimal number ended by `end`.
    fn number(&mut self, end: u8) -> Result<usize, DecodeError> {
        let rest = &self.text.as_bytes()[self.at..];
        let Some(len) = rest.iter().position(|&b| b == end) else {
            return self.fail();
        };
        match self.text[self.at..self.at + len].parse() {
            Ok(n) => {
                self.at += len + 1;
                Ok(n)
            }
            Err(_) => self.fail(),
        }
    }

    fn string(&mut self) -> Result<&'a str, DecodeError> {
        let len = self.number(b':')?;
        let text = self.text;
        match text.get(self.at..self.at + len) {
            Some(s) => {
                self.at += len;
                Ok(s)
            }
            None => self.fail(),
        }
    }

    fn list(&mut self) -> Result<Vec<&'a str>, DecodeError> {
        let count = self.number(b':')?;
        // The count is bounded by the text, so a corrupt one cannot reserve much.
        let mut items = Vec::with_capacity(count.min(self.text.len() - self.at));
        for _ in 0..count {
            items.push(self.string()?);
        }
        Ok(items)
    }

    fn descriptor(&mut self) -> Result<Descriptor<'a>, DecodeError> {
        let revision = self.string()?;
        let revises = self.list()?;
        let depends_on = self.list()?;
        let branch_labels = self.list()?;
        let message = self.string()?;
        let flags = match self.text.as_bytes().get(self.at) {
            Some(&digit @ b'0'..=b'3') => digit - b'0',
            _ => return self.fail(),
        };
        self.at += 1;
        let checksum = self.string()?;
        let file = self.string()?;
        let line = self.number(b';')?;
        let Ok(line) = u32::try_from(line) else {
            return self.fail();
        };
        Ok(Descriptor {
            revision,
            revises,
            depends_on,
            branch_labels,
            message,
            reversible: flags & 1 != 0,
            transactional: flags & 2 != 0,
            checksum,
            file,
            line,
        })
    }
}

impl<'a> Iterator for DecodeAll<'a> {
    type Item = Result<Descriptor<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        (self.at < self.text.len()).then(|| self.descriptor())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Descriptor<'static>> {
        vec![
            Descriptor {
                revision: "0001_create",
                message: "Create users",
                transactional: true,
                reversible: true,
                checksum: "ab12",
                file: "0001_create.rs",
                line: 7,
                ..Descriptor::default()
            },
            Descriptor {
                revision: "0002",
                revises: vec!["0001_create", "side"],
                depends_on: vec!["x"],
                branch_labels: vec!["auth"],
                // Every separator of the format, multi-byte text and an empty string.
                message: "12:3;4:é\n\"",
                reversible: false,
                transactional: false,
                checksum: "",
                file: "ünï côde.rs",
                line: u32::MAX,
            },
        ]
    }

    #[test]
    fn round_trips() {
        let mut text = String::new();
        for d in sample() {
            d.encode(&mut text);
        }
        let decoded: Vec<_> = Descriptor::decode_all(&text)
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(decoded, sample());
        assert_eq!(Descriptor::decode_all("").count(), 0);
    }

    #[test]
    fn reports_malformed_text_once() {
        let mut text = String::new();
        sample()[0].encode(&mut text);
        let good = text.len();
        for bad in ["4:ab", "x:", "2:ab0:0:0:0:9", "99999999999999999999:"] {
            let text = format!("{text}{bad}");
            let results: Vec<_> = Descriptor::decode_all(&text).collect();
            assert_eq!(results.len(), 2, "{bad}");
            assert!(results[0].is_ok());
            let err = results[1].clone().unwrap_err();
            assert!(err.at >= good, "{bad}: {err:?}");
            assert!(err.to_string().contains("different versions"));
        }
        // A length that splits a multi-byte character.
        assert!(Descriptor::decode_all("1:é").next().unwrap().is_err());
    }
}
