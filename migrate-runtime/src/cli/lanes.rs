//! The layout of `history`'s drawn graph, in the manner of `git log --graph`: which column
//! (lane) each revision sits in, and the connecting rows between them. Pure: it takes the
//! parent links and returns text, so every shape is unit-tested without a database.
//!
//! Lanes are columns two characters apart. A lane waits for the revision it leads to; when
//! several lanes wait for the same revision (a branch point) they are folded into the
//! leftmost one (`|/`), a merge point opens one lane per extra parent (`|\`), and a root
//! closes its lane, moving the lanes right of it one column left (` /`).

use std::collections::BTreeSet;

/// One line of the drawing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Row {
    /// The line of a revision: the graph part (`| * |`), and the padding that continues the
    /// lanes on extra lines printed under it (verbose details).
    Node {
        /// The revision's index in the input.
        node: usize,
        /// The lanes, with `*` for the revision.
        graph: String,
        /// The lanes continuing below the revision.
        padding: String,
    },
    /// A connecting line between revisions (`|/`, `|\`, `|_|/`, ` /`).
    Edges(String),
}

/// A display order, newest first, that keeps each branch together: after a revision comes
/// its first parent when nothing else still needs drawing above it, else the newest
/// revision whose children are all drawn (as `git log --graph --topo-order` does).
///
/// `parents[i]` are the parents of revision `i` among `0..parents.len()`; the input order
/// must be topological (parents before children), as `Graph::topological` gives.
pub(crate) fn display_order(parents: &[Vec<usize>]) -> Vec<usize> {
    let n = parents.len();
    let mut waiting = vec![0usize; n];
    for ps in parents {
        for &p in ps {
            waiting[p] += 1;
        }
    }
    let mut ready: BTreeSet<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
    let mut order = Vec::with_capacity(n);
    let mut last: Option<usize> = None;
    while order.len() < n {
        let first_parent = last
            .and_then(|l| parents[l].first().copied())
            .filter(|p| ready.contains(p));
        let Some(next) = first_parent.or_else(|| ready.last().copied()) else {
            break; // Only on a cyclic input, which a validated graph never is.
        };
        ready.remove(&next);
        order.push(next);
        for &p in &parents[next] {
            waiting[p] -= 1;
            if waiting[p] == 0 {
                ready.insert(p);
            }
        }
        last = Some(next);
    }
    order
}

/// Lays out revisions given in display order (every child before its parents):
/// `parents[i]` lists the parents of row `i` by row index, each greater than `i`. Parents
/// outside the drawing are simply left out, which ends the lane like a root.
pub(crate) fn draw(parents: &[Vec<usize>]) -> Vec<Row> {
    let mut rows = Vec::new();
    // The revision each lane leads to.
    let mut lanes: Vec<usize> = Vec::new();
    for (node, node_parents) in parents.iter().enumerate() {
        let column = match lanes.iter().position(|&l| l == node) {
            Some(column) => {
                // Every other lane leading here folds into the leftmost.
                while let Some(other) = lanes
                    .iter()
                    .enumerate()
                    .skip(column + 1)
                    .find(|&(_, &l)| l == node)
                    .map(|(k, _)| k)
                {
                    rows.push(Row::Edges(fold(&lanes, column, other)));
                    lanes.remove(other);
                }
                column
            }
            None => {
                lanes.push(node);
                lanes.len() - 1
            }
        };
        let graph = line(lanes.len(), |k| if k == column { '*' } else { '|' });
        match node_parents.split_first() {
            None => {
                let padding = line(lanes.len(), |k| if k == column { ' ' } else { '|' });
                rows.push(Row::Node {
                    node,
                    graph,
                    padding,
                });
                if column + 1 < lanes.len() {
                    rows.push(Row::Edges(close(&lanes, column)));
                }
                lanes.remove(column);
                // A revision starting a new lane right below a root would read as its
                // parent: keep the two lines apart.
                let next = node + 1;
                if column == lanes.len() && next < parents.len() && !lanes.contains(&next) {
                    rows.push(Row::Edges(line(lanes.len(), |_| '|')));
                }
            }
            Some((&first, rest)) => {
                lanes[column] = first;
                rows.push(Row::Node {
                    node,
                    graph,
                    padding: line(lanes.len(), |_| '|'),
                });
                // Opened in reverse so that the second parent ends up nearest.
                for &extra in rest.iter().rev() {
                    rows.push(Row::Edges(open(&lanes, column)));
                    lanes.insert(column + 1, extra);
                }
            }
        }
    }
    rows
}

/// `count` lanes, each drawn by `lane(k)`, one space apart, trailing spaces trimmed.
fn line(count: usize, lane: impl Fn(usize) -> char) -> String {
    let mut out = String::with_capacity(count * 2);
    for k in 0..count {
        if k > 0 {
            out.push(' ');
        }
        out.push(lane(k));
    }
    trimmed(out)
}

fn cells(lanes: &[usize]) -> Vec<char> {
    vec![' '; lanes.len() * 2]
}

fn trimmed(text: impl Into<String>) -> String {
    let mut text = text.into();
    text.truncate(text.trim_end().len());
    text
}

/// Lane `from` joins lane `into` (to its left); the lanes right of `from` move one column
/// left. `|/`, `|_|/`, `|/ /`.
fn fold(lanes: &[usize], into: usize, from: usize) -> String {
    let mut out = cells(lanes);
    for k in 0..lanes.len() {
        if k < from {
            out[2 * k] = '|';
        } else if k > from {
            out[2 * k - 1] = '/';
        }
    }
    for cell in out.iter_mut().take(2 * from - 1).skip(2 * into + 1) {
        if *cell == ' ' {
            *cell = '_';
        }
    }
    out[2 * from - 1] = '/';
    trimmed(out.into_iter().collect::<String>())
}

/// Lane `column` ends; the lanes right of it move one column left: `| /`.
fn close(lanes: &[usize], column: usize) -> String {
    let mut out = cells(lanes);
    for k in 0..lanes.len() {
        if k < column {
            out[2 * k] = '|';
        } else if k > column {
            out[2 * k - 1] = '/';
        }
    }
    trimmed(out.into_iter().collect::<String>())
}

/// A new lane opens right of `column`; the lanes right of it move one column right: `|\ \`.
fn open(lanes: &[usize], column: usize) -> String {
    let mut out = cells(lanes);
    out.push(' ');
    out.push(' ');
    for k in 0..lanes.len() {
        if k <= column {
            out[2 * k] = '|';
        } else {
            out[2 * k + 1] = '\\';
        }
    }
    out[2 * column + 1] = '\\';
    trimmed(out.into_iter().collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Draws revisions named by single letters, given newest first as `(name, parents)`.
    fn picture(revisions: &[(&str, &[&str])]) -> String {
        let index = |name: &str| revisions.iter().position(|(n, _)| *n == name);
        let parents: Vec<Vec<usize>> = revisions
            .iter()
            .map(|(_, ps)| ps.iter().filter_map(|p| index(p)).collect())
            .collect();
        let mut out = String::new();
        for row in draw(&parents) {
            match row {
                Row::Node { node, graph, .. } => {
                    out.push_str(&format!("{graph} {}\n", revisions[node].0));
                }
                Row::Edges(edges) => out.push_str(&format!("{edges}\n")),
            }
        }
        out
    }

    #[test]
    fn linear() {
        assert_eq!(
            picture(&[("c", &["b"]), ("b", &["a"]), ("a", &[])]),
            "* c\n* b\n* a\n"
        );
    }

    #[test]
    fn branch_and_merge() {
        let drawn = picture(&[("m", &["b", "c"]), ("b", &["a"]), ("c", &["a"]), ("a", &[])]);
        assert_eq!(drawn, "* m\n|\\\n* | b\n| * c\n|/\n* a\n");
    }

    #[test]
    fn two_heads_fold_into_their_branch_point() {
        let drawn = picture(&[("b", &["a"]), ("c", &["a"]), ("a", &[])]);
        assert_eq!(drawn, "* b\n| * c\n|/\n* a\n");
    }

    #[test]
    fn a_fold_crosses_a_lane_in_between() {
        let drawn = picture(&[
            ("x", &["a"]),
            ("y", &["q"]),
            ("z", &["a"]),
            ("a", &[]),
            ("q", &[]),
        ]);
        assert_eq!(drawn, "* x\n| * y\n| | * z\n|_|/\n* | a\n /\n* q\n");
    }

    #[test]
    fn two_roots_close_their_lanes() {
        let drawn = picture(&[("b", &["a"]), ("d", &["c"]), ("a", &[]), ("c", &[])]);
        assert_eq!(drawn, "* b\n| * d\n* | a\n /\n* c\n");
    }

    #[test]
    fn a_merge_moves_the_lanes_to_its_right() {
        let drawn = picture(&[
            ("h", &["m"]),
            ("k", &["a"]),
            ("m", &["b", "c"]),
            ("b", &["a"]),
            ("c", &["a"]),
            ("a", &[]),
        ]);
        assert_eq!(
            drawn,
            "* h\n| * k\n* | m\n|\\ \\\n* | | b\n| * | c\n|/ /\n|/\n* a\n"
        );
    }

    #[test]
    fn octopus_merges_open_one_lane_per_extra_parent() {
        let drawn = picture(&[("m", &["a", "b", "c"]), ("a", &[]), ("b", &[]), ("c", &[])]);
        assert_eq!(drawn, "* m\n|\\\n|\\ \\\n* | | a\n / /\n* | b\n /\n* c\n");
    }

    #[test]
    fn separate_lines_are_kept_apart() {
        let drawn = picture(&[("b", &["a"]), ("a", &[]), ("d", &["c"]), ("c", &[])]);
        assert_eq!(drawn, "* b\n* a\n\n* d\n* c\n");
    }

    #[test]
    fn display_order_keeps_branches_together() {
        // Topological input: a; b, c on a; m merging b and c; h on m.
        let parents = vec![vec![], vec![0], vec![0], vec![1, 2], vec![3]];
        assert_eq!(display_order(&parents), [4, 3, 1, 2, 0]);
        // Two separate lines are not interleaved.
        let parents = vec![vec![], vec![], vec![0], vec![1], vec![2], vec![3]];
        assert_eq!(display_order(&parents), [5, 3, 1, 4, 2, 0]);
    }

    #[test]
    fn padding_continues_the_lanes() {
        let rows = draw(&[vec![2], vec![2], vec![]]);
        let paddings: Vec<&str> = rows
            .iter()
            .filter_map(|r| match r {
                Row::Node { padding, .. } => Some(padding.as_str()),
                Row::Edges(_) => None,
            })
            .collect();
        assert_eq!(paddings, ["|", "| |", ""]);
    }
}
