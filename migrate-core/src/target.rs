//! Target strings (`head`, `heads`, `base`, ids, unique prefixes, branch labels,
//! `label@head`, `REV+N`, `-N`, ...) resolved to revisions with Alembic's rules.
//!
//! The functions mirror Alembic's `RevisionMap` resolution helpers one for one, because
//! users rely on its exact behaviour (which heads `label@head` picks, when a prefix is
//! ambiguous, how a relative walk treats branch and merge points).

use crate::RevisionId;
use crate::error::PlanError;
use crate::graph::Graph;

type Result<T> = std::result::Result<T, PlanError>;

/// A position while walking the graph. Alembic distinguishes "no revision" (`None`:
/// walking up starts at the bases, walking down at the heads) from the `base` reached by
/// walking below a base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pos {
    Nothing,
    Base,
    Rev(usize),
}

/// An identifier produced by symbolic resolution: already a revision, or text still to be
/// looked up as an id, prefix or label.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Sym<'a> {
    Idx(usize),
    Text(&'a str),
}

/// A relative target: `[label@][symbol](+|-)N`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Relative<'a> {
    pub(crate) label: Option<&'a str>,
    pub(crate) symbol: Option<&'a str>,
    pub(crate) steps: i64,
}

/// Parses a relative target. Unlike Alembic's unanchored regex, trailing text after the
/// digits makes the target absolute (and then unknown) instead of being ignored.
pub(crate) fn parse_relative(target: &str) -> Result<Option<Relative<'_>>> {
    let (label, rest) = match target.split_once('@') {
        Some((l, r)) if !l.is_empty() => (Some(l), r),
        _ => (None, target),
    };
    let Some(sign) = rest.find(['+', '-']) else {
        return Ok(None);
    };
    let (symbol, number) = (&rest[..sign], &rest[sign + 1..]);
    if !symbol.chars().all(|c| c.is_alphanumeric() || c == '_')
        || number.is_empty()
        || !number.bytes().all(|b| b.is_ascii_digit())
    {
        return Ok(None);
    }
    let magnitude: i64 = number.parse().map_err(|_| PlanError::StepTooLarge {
        target: target.to_owned(),
    })?;
    let steps = if rest.as_bytes()[sign] == b'-' {
        -magnitude
    } else {
        magnitude
    };
    // `REV+0` is REV itself, but `+0` alone moves nowhere, and is no direction either.
    if steps == 0 && symbol.is_empty() {
        return Err(PlanError::ZeroSteps {
            target: target.to_owned(),
        });
    }
    Ok(Some(Relative {
        label,
        symbol: (!symbol.is_empty()).then_some(symbol),
        steps,
    }))
}

fn non_empty(label: Option<&str>) -> Option<&str> {
    label.filter(|l| !l.is_empty())
}

impl Graph {
    /// The revisions a target names, without reference to what is applied: full ids,
    /// unique prefixes, branch labels, `head`, `heads`, `base` (empty), `label@head`,
    /// `label@heads`, `label@base` (empty), `label@REV`, and `REV+N` / `REV-N` /
    /// `label@REV+N` walks. Targets relative to the applied heads (`+1`, `-1`,
    /// `label@-1`) need [`Graph::plan_upgrade`] or [`Graph::plan_downgrade`].
    pub fn resolve(&self, target: &str) -> Result<Vec<RevisionId>> {
        if target.is_empty() {
            return Err(PlanError::EmptyTarget);
        }
        let Some(rel) = parse_relative(target)? else {
            let found = self.resolve_revisions(target, target)?;
            return Ok(self.owned_ids(&found));
        };
        let Some(symbol) = rel.symbol else {
            return Err(PlanError::RelativeNeedsCurrent {
                target: target.to_owned(),
            });
        };
        let pos = if rel.steps > 0 {
            let start = self.resolve_revision(symbol, target)?;
            self.walk(start, rel.steps, rel.label, target)?
        } else {
            let start = self.resolve_revision(&with_label(rel.label, symbol), target)?;
            self.walk(start, rel.steps, None, target)?
        };
        match pos {
            Pos::Rev(i) => Ok(vec![self.id(i).clone()]),
            Pos::Base => Ok(Vec::new()),
            Pos::Nothing if rel.steps > 0 => Err(PlanError::PastHead {
                target: target.to_owned(),
            }),
            Pos::Nothing => Err(PlanError::BelowBase {
                target: target.to_owned(),
            }),
        }
    }

    /// Alembic's `_resolve_revision_number`: symbolic names to identifiers plus the branch
    /// label given before `@`.
    pub(crate) fn resolve_number<'a>(
        &self,
        s: &'a str,
        whole: &str,
    ) -> Result<(Vec<Sym<'a>>, Option<&'a str>)> {
        let (label, id) = match s.split_once('@') {
            Some((l, r)) => (non_empty(Some(l)), r),
            None => (None, s),
        };
        let ids = match id {
            "heads" => match label {
                Some(l) => self
                    .filter_for_lineage(self.heads_idx(), l, false, whole)?
                    .into_iter()
                    .map(Sym::Idx)
                    .collect(),
                None => self.real_heads_idx().iter().map(|&i| Sym::Idx(i)).collect(),
            },
            "head" => self
                .current_head(label, whole)?
                .map(Sym::Idx)
                .into_iter()
                .collect(),
            "base" => Vec::new(),
            other => vec![Sym::Text(other)],
        };
        Ok((ids, label))
    }

    /// Alembic's `get_current_head`: the single head, on a branch if a label is given.
    fn current_head(&self, label: Option<&str>, whole: &str) -> Result<Option<usize>> {
        let heads = match label {
            Some(l) => self.filter_for_lineage(self.heads_idx(), l, false, whole)?,
            None => self.heads_idx().to_vec(),
        };
        if heads.len() > 1 {
            return Err(PlanError::MultipleHeads {
                target: match label {
                    Some(l) => format!("{l}@head"),
                    None => "head".to_owned(),
                },
                heads: self.owned_ids(&heads),
            });
        }
        Ok(heads.first().copied())
    }

    /// Alembic's `filter_for_lineage`: the `targets` that are ancestors or descendants of
    /// what `check_against` names.
    pub(crate) fn filter_for_lineage(
        &self,
        targets: &[usize],
        check_against: &str,
        with_deps: bool,
        whole: &str,
    ) -> Result<Vec<usize>> {
        let (ids, label) = self.resolve_number(check_against, whole)?;
        let mut shares: Vec<Sym<'_>> = label.map(Sym::Text).into_iter().collect();
        shares.extend(ids);
        if shares.is_empty() || targets.is_empty() {
            return Ok(targets.to_vec());
        }
        let mut against = Vec::with_capacity(shares.len());
        for share in shares {
            against.push(match share {
                Sym::Idx(i) => i,
                // What a line is checked against is a branch label in practice.
                Sym::Text(t) => self
                    .revision_for_ident(t, None, whole)
                    .map_err(|e| match e {
                        PlanError::NoMatch { .. } | PlanError::AmbiguousPrefix { .. } => {
                            PlanError::NoSuchBranch {
                                label: t.to_owned(),
                                target: whole.to_owned(),
                            }
                        }
                        other => other,
                    })?,
            });
        }
        let lineage = self.lineage(&against, with_deps);
        Ok(targets.iter().copied().filter(|&t| lineage[t]).collect())
    }

    /// Alembic's `_resolve_branch`: a branch label, or failing that a revision id or prefix.
    pub(crate) fn resolve_branch(&self, label: &str, whole: &str) -> Result<usize> {
        if let Some(i) = self.exact(label) {
            return Ok(i);
        }
        self.revision_for_ident(label, None, whole)
            .map_err(|_| PlanError::NoSuchBranch {
                label: label.to_owned(),
                target: whole.to_owned(),
            })
    }

    /// Alembic's `_revision_for_ident`: exact id or label, else a unique prefix (of keys
    /// longer than three characters), checked against the branch when one is given.
    pub(crate) fn revision_for_ident(
        &self,
        text: &str,
        check_branch: Option<&str>,
        whole: &str,
    ) -> Result<usize> {
        let branch = match non_empty(check_branch) {
            Some(l) => Some(self.resolve_branch(l, whole)?),
            None => None,
        };
        let rev = match self.exact(text) {
            Some(i) => i,
            None => {
                if text.is_empty() {
                    return Err(PlanError::EmptyTarget);
                }
                let mut candidates = self.prefixed(text);
                if let Some(b) = branch {
                    let lineage = self.lineage(&[b], false);
                    candidates.retain(|&(_, i)| lineage[i]);
                }
                match candidates.len() {
                    0 => {
                        return Err(PlanError::NoMatch {
                            target: text.to_owned(),
                        });
                    }
                    1 => candidates[0].1,
                    more => {
                        return Err(PlanError::AmbiguousPrefix {
                            prefix: text.to_owned(),
                            matches: candidates
                                .iter()
                                .take(3)
                                .map(|(k, _)| (*k).to_owned())
                                .collect(),
                            more: more > 3,
                        });
                    }
                }
            }
        };
        if let (Some(b), Some(label)) = (branch, check_branch)
            && !self.lineage(&[b], false)[rev]
        {
            return Err(PlanError::NotOnBranch {
                revision: self.id(rev).clone(),
                label: label.to_owned(),
            });
        }
        Ok(rev)
    }

    /// Alembic's `get_revisions` for one absolute target.
    pub(crate) fn resolve_revisions(&self, s: &str, whole: &str) -> Result<Vec<usize>> {
        let (ids, label) = self.resolve_number(s, whole)?;
        ids.into_iter()
            .map(|sym| match sym {
                Sym::Idx(i) => self.revision_for_ident(self.id(i).as_str(), label, whole),
                Sym::Text(t) => self.revision_for_ident(t, label, whole),
            })
            .collect()
    }

    /// Alembic's `get_revision`: at most one revision (`None` for `base`).
    pub(crate) fn resolve_revision(&self, s: &str, whole: &str) -> Result<Pos> {
        let (ids, label) = self.resolve_number(s, whole)?;
        match ids.as_slice() {
            [] => {
                if let Some(l) = label {
                    self.resolve_branch(l, whole)?;
                }
                Ok(Pos::Nothing)
            }
            [one] => {
                let text = match *one {
                    Sym::Idx(i) => self.id(i).as_str(),
                    Sym::Text(t) => t,
                };
                Ok(Pos::Rev(self.revision_for_ident(text, label, whole)?))
            }
            many => Err(PlanError::MultipleHeads {
                target: s.to_owned(),
                heads: many
                    .iter()
                    .filter_map(|s| match s {
                        Sym::Idx(i) => Some(self.id(*i).clone()),
                        Sym::Text(_) => None,
                    })
                    .collect(),
            }),
        }
    }

    /// Alembic's `_walk`: `steps` up (children, optionally only those sharing a line with
    /// `label`) or down (parents). Returns `Pos::Nothing` when the walk leaves the graph.
    pub(crate) fn walk(
        &self,
        start: Pos,
        steps: i64,
        label: Option<&str>,
        whole: &str,
    ) -> Result<Pos> {
        let mut at = start;
        for _ in 0..steps.unsigned_abs() {
            let next: Vec<usize>;
            let base_next: bool;
            if steps > 0 {
                let up: &[usize] = match at {
                    Pos::Nothing => self.bases_idx(),
                    Pos::Rev(i) => &self.children[i],
                    Pos::Base => {
                        return Err(PlanError::BelowBase {
                            target: whole.to_owned(),
                        });
                    }
                };
                next = match non_empty(label) {
                    Some(l) => self.filter_for_lineage(up, l, false, whole)?,
                    None => up.to_vec(),
                };
                base_next = false;
            } else {
                next = match at {
                    Pos::Base => Vec::new(),
                    Pos::Nothing => self.heads_idx().to_vec(),
                    Pos::Rev(i) => self.parents[i].to_vec(),
                };
                base_next = next.is_empty() && at != Pos::Base;
            }
            if base_next {
                at = Pos::Base;
                continue;
            }
            match next.as_slice() {
                [] => return Ok(Pos::Nothing),
                [one] => at = Pos::Rev(*one),
                many => {
                    let where_ = match (at, steps > 0) {
                        (Pos::Rev(i), true) => format!("`{}` has several children:", self.id(i)),
                        (Pos::Rev(i), false) => format!("`{}` merges", self.id(i)),
                        (_, true) => "there are several bases:".to_owned(),
                        (_, false) => "there are several heads:".to_owned(),
                    };
                    return Err(PlanError::AmbiguousWalk {
                        target: whole.to_owned(),
                        at: where_,
                        options: self.owned_ids(many),
                        label_narrows: steps > 0 && non_empty(label).is_none(),
                    });
                }
            }
        }
        Ok(at)
    }

    /// Alembic's `_parse_upgrade_target`: the revisions to upgrade to.
    pub(crate) fn parse_upgrade_target(
        &self,
        current: &[usize],
        target: &str,
    ) -> Result<Vec<usize>> {
        let Some(rel) = parse_relative(target)? else {
            return self.resolve_revisions(target, target);
        };
        let label = non_empty(rel.label);
        if rel.steps > 0 {
            let pos = match rel.symbol {
                None => {
                    let mut starts: Vec<Pos> = if current.is_empty() {
                        vec![Pos::Nothing]
                    } else {
                        current.iter().map(|&c| Pos::Rev(c)).collect()
                    };
                    if let Some(l) = label {
                        starts = self
                            .filter_for_lineage(current, l, false, target)?
                            .into_iter()
                            .map(Pos::Rev)
                            .collect();
                        if starts.is_empty() {
                            // The branch has no applied head: start from the tips of its
                            // applied part, or from base.
                            let applied = self.ancestors_of(current);
                            let applied: Vec<usize> =
                                (0..self.len()).filter(|&i| applied[i]).collect();
                            let active = self.filter_for_lineage(&applied, l, false, target)?;
                            let mut below = vec![false; self.len()];
                            for &a in &active {
                                for &d in &self.down[a] {
                                    below[d] = true;
                                }
                            }
                            starts = active
                                .into_iter()
                                .filter(|&a| !below[a])
                                .map(Pos::Rev)
                                .collect();
                            if starts.is_empty() {
                                starts = vec![Pos::Nothing];
                            }
                        }
                    }
                    if starts.len() > 1 {
                        return Err(PlanError::AmbiguousCurrent {
                            target: target.to_owned(),
                            current: starts
                                .iter()
                                .filter_map(|p| match p {
                                    Pos::Rev(i) => Some(self.id(*i).clone()),
                                    _ => None,
                                })
                                .collect(),
                        });
                    }
                    self.walk(starts[0], rel.steps, label, target)?
                }
                Some(symbol) => {
                    let start = self.resolve_revision(symbol, target)?;
                    self.walk(start, rel.steps, label, target)?
                }
            };
            match pos {
                Pos::Rev(i) => Ok(vec![i]),
                _ => Err(PlanError::PastHead {
                    target: target.to_owned(),
                }),
            }
        } else {
            let Some(symbol) = rel.symbol else {
                return Err(PlanError::WrongDirection {
                    target: target.to_owned(),
                    command: "upgrade",
                });
            };
            let start = self.resolve_revision(&with_label(label, symbol), target)?;
            match self.walk(start, rel.steps, None, target)? {
                Pos::Rev(i) => Ok(vec![i]),
                _ => Err(PlanError::BelowBase {
                    target: target.to_owned(),
                }),
            }
        }
    }

    /// Alembic's `_parse_downgrade_target`: the branch label that narrows the downgrade
    /// (if any) and the revision to downgrade to (`None` for base).
    pub(crate) fn parse_downgrade_target(
        &self,
        current: &[usize],
        target: &str,
    ) -> Result<(Option<String>, Option<usize>)> {
        if target.is_empty() {
            return Err(PlanError::EmptyTarget);
        }
        let Some(rel) = parse_relative(target)? else {
            let (label, symbol) = match target.rsplit_once('@') {
                Some((l, s)) => (non_empty(Some(l)), s),
                None => (None, target),
            };
            let rev = match self.resolve_revision(symbol, target)? {
                Pos::Rev(i) => Some(i),
                _ => None,
            };
            return Ok((label.map(str::to_owned), rev));
        };
        let label = non_empty(rel.label);
        if rel.steps >= 0 {
            let Some(symbol) = rel.symbol else {
                return Err(PlanError::WrongDirection {
                    target: target.to_owned(),
                    command: "downgrade",
                });
            };
            let start = self.resolve_revision(symbol, target)?;
            return match self.walk(start, rel.steps, label, target)? {
                Pos::Rev(i) => Ok((label.map(str::to_owned), Some(i))),
                Pos::Base => Ok((label.map(str::to_owned), None)),
                Pos::Nothing => Err(PlanError::PastHead {
                    target: target.to_owned(),
                }),
            };
        }
        let (label, symbol): (String, String) = match rel.symbol {
            Some(symbol) => (label.unwrap_or_default().to_owned(), symbol.to_owned()),
            None => match label {
                Some(l) => {
                    let mut on_branch = self.filter_for_lineage(current, l, false, target)?;
                    if on_branch.is_empty() {
                        let all = self.all_current(current);
                        on_branch = self.filter_for_lineage(&all, l, false, target)?;
                    }
                    if on_branch.len() != 1 {
                        return Err(PlanError::AmbiguousCurrent {
                            target: target.to_owned(),
                            current: self.owned_ids(&on_branch),
                        });
                    }
                    (l.to_owned(), self.id(on_branch[0]).to_string())
                }
                None => {
                    let Some(&first) = current.first() else {
                        return Err(PlanError::NothingApplied {
                            target: target.to_owned(),
                        });
                    };
                    // Alembic walks down from the first row and narrows the downgrade to
                    // that row's line.
                    let id = self.id(first).to_string();
                    (id.clone(), id)
                }
            },
        };
        let label = (!label.is_empty()).then_some(label);
        let start = self.resolve_revision(&with_label(label.as_deref(), &symbol), target)?;
        match self.walk(start, rel.steps, None, target)? {
            Pos::Rev(i) => Ok((label, Some(i))),
            Pos::Base => Ok((label, None)),
            Pos::Nothing => Err(PlanError::BelowBase {
                target: target.to_owned(),
            }),
        }
    }

    /// Alembic's `_get_all_current`: the applied revisions (rows and their ancestors) that
    /// have no applied child.
    fn all_current(&self, current: &[usize]) -> Vec<usize> {
        let applied = self.ancestors_of(current);
        (0..self.len())
            .filter(|&i| applied[i] && !self.children[i].iter().any(|&c| applied[c]))
            .collect()
    }
}

fn with_label(label: Option<&str>, symbol: &str) -> String {
    match label {
        Some(l) => format!("{l}@{symbol}"),
        None => symbol.to_owned(),
    }
}
