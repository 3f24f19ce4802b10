//! `history [-v] [-r START:END]`: the revisions, newest first. Needs no database.

use clap::Args;

use super::{Session, Status, format};
use crate::Result;

/// Arguments of `history`.
#[derive(Debug, Clone, Args)]
pub struct HistoryArgs {
    /// Only the revisions from START to END, both included (`0a7e:7d1e`, `base:head`); an
    /// empty side means `base` or `heads`.
    #[arg(
        short = 'r',
        long,
        value_name = "START:END",
        allow_hyphen_values = true,
        value_parser = parse_range
    )]
    pub rev_range: Option<RevRange>,
}

/// A `START:END` range of targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevRange {
    /// The lower end, a target (`base` when empty).
    pub start: String,
    /// The upper end, a target (`heads` when empty).
    pub end: String,
}

fn parse_range(text: &str) -> std::result::Result<RevRange, String> {
    let (start, end) = text
        .split_once(':')
        .ok_or_else(|| "expected START:END, for example `base:head` or `0a7e:`".to_owned())?;
    let or = |side: &str, default: &str| {
        if side.is_empty() {
            default.to_owned()
        } else {
            side.to_owned()
        }
    };
    Ok(RevRange {
        start: or(start, "base"),
        end: or(end, "heads"),
    })
}

impl HistoryArgs {
    pub(crate) fn run(self, session: &Session) -> Result<Status> {
        let set = session.set();
        let graph = set.graph();
        let revisions = match &self.rev_range {
            None => graph.topological(),
            Some(range) => {
                let lower = graph.resolve(&range.start)?;
                let upper = graph.resolve(&range.end)?;
                graph.between(&lower, &upper)
            }
        };
        for id in revisions.into_iter().rev() {
            let Some(migration) = set.get(id.as_str()) else {
                continue;
            };
            outln!("{}", format::summary_line(set, migration));
            if session.verbose() {
                out!("{}", format::details(set, migration, "    "));
                outln!();
            }
        }
        Ok(Status::Success)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_default_to_base_and_heads() {
        let range = parse_range(":ae3c").unwrap();
        assert_eq!((range.start.as_str(), range.end.as_str()), ("base", "ae3c"));
        let range = parse_range("1975:").unwrap();
        assert_eq!(
            (range.start.as_str(), range.end.as_str()),
            ("1975", "heads")
        );
        assert!(parse_range("1975").is_err());
    }
}
