//! SQLite table rebuilds, as Alembic's batch mode does them: create the new shape under a
//! temporary name, copy the rows, drop the views (and other tables' triggers) naming the
//! old table, drop it, rename the new one, and re-create the indexes, then the views and
//! triggers verbatim. Pure: it turns a shape and operations into a new shape and
//! statements.
//!
//! Dropping the table drops its triggers, and SQLite refuses the rename while a view or
//! trigger names a table that no longer exists (`error in view v: no such table`), hence
//! the views' and triggers' round trip. They come from the shape, so only a shape read
//! from the database has them; offline ones have none (see the module docs of `schema`).
//!
//! The executor runs migrations on SQLite with foreign-key enforcement suspended (SQLite
//! ignores that switch inside a transaction, and dropping the old table would otherwise
//! fire the `ON DELETE` actions of the tables referencing it) and checks every foreign
//! key before committing, so the rebuild keeps dependent rows and their integrity.

use super::model::{ConstraintKind, Operation, Value};
use super::render::Renderer;
use super::shape::{Dependent, DependentKind, TableShape, apply_to_shape};
use crate::{Error, Result};

/// Whether a rebuild can fold `op` in. Renames run in place (SQLite rewrites the indexes
/// and references that mention the old name), and data operations need the table as it
/// is at their point.
pub(super) fn foldable(op: &Operation) -> bool {
    matches!(
        op,
        Operation::AddColumn { .. }
            | Operation::DropColumn { .. }
            | Operation::AlterColumn { .. }
            | Operation::CreateIndex(_)
            | Operation::DropIndex { .. }
            | Operation::AddConstraint { .. }
            | Operation::DropConstraint { .. }
    )
}

/// The statements rebuilding `shape`'s table with `ops` applied, and its new shape.
pub(super) fn rebuild(
    r: &Renderer,
    shape: &TableShape,
    ops: &[Operation],
) -> Result<(TableShape, Vec<String>)> {
    let name = shape.table.name.clone();
    let mut new = shape.clone();
    for op in ops {
        check(&new, op)?;
        apply_to_shape(&mut new, op);
    }
    check_dependents(r, shape, &new)?;
    // A column keeps its rows when it existed before under the same name, unless these
    // operations dropped it (and added a new one of that name, which starts afresh).
    let dropped: Vec<&str> = ops
        .iter()
        .filter_map(|op| match op {
            Operation::DropColumn { column, .. } => Some(column.as_str()),
            _ => None,
        })
        .collect();
    let copied: Vec<&str> = new
        .table
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .filter(|n| shape.table.columns.iter().any(|old| old.name == *n) && !dropped.contains(n))
        .collect();
    let temp = format!("_migrate_tmp_{name}");
    let mut sql = vec![r.create_table(&new.table, &temp)?];
    if !copied.is_empty() {
        let columns = copied
            .iter()
            .map(|c| r.ident(c))
            .collect::<Result<Vec<_>>>()?
            .join(", ");
        sql.push(format!(
            "INSERT INTO {} ({columns}) SELECT {columns} FROM {}",
            r.ident(&temp)?,
            r.ident(&name)?
        ));
    }
    // `AUTOINCREMENT` promises never to hand out an id again, deleted rows' included: the
    // new table continues the old one's counter, not the highest id it holds.
    if new.table.columns.iter().any(|c| c.auto_increment) {
        let (old, tmp) = (
            r.literal(&Value::Text(name.clone()))?,
            r.literal(&Value::Text(temp.clone()))?,
        );
        sql.push(format!("DELETE FROM sqlite_sequence WHERE name = {tmp}"));
        sql.push(format!(
            "INSERT INTO sqlite_sequence (name, seq) \
             SELECT {tmp}, seq FROM sqlite_sequence WHERE name = {old}"
        ));
    }
    // The table's own triggers, and those on the views, go with what they are on.
    let goes_with_table = |d: &Dependent| {
        d.on.eq_ignore_ascii_case(&name)
            || shape
                .dependents
                .iter()
                .any(|v| v.kind == DependentKind::View && v.name.eq_ignore_ascii_case(&d.on))
    };
    for dependent in shape.dependents.iter().rev() {
        match dependent.kind {
            DependentKind::View => sql.push(format!("DROP VIEW {}", r.ident(&dependent.name)?)),
            DependentKind::Trigger if !goes_with_table(dependent) => {
                sql.push(format!("DROP TRIGGER {}", r.ident(&dependent.name)?));
            }
            DependentKind::Trigger => {}
        }
    }
    sql.push(format!("DROP TABLE {}", r.ident(&name)?));
    sql.push(format!(
        "ALTER TABLE {} RENAME TO {}",
        r.ident(&temp)?,
        r.ident(&name)?
    ));
    for index in &new.indexes {
        sql.push(r.known_index(index)?);
    }
    // In creation order, so a view comes after the views it reads.
    sql.extend(new.dependents.iter().map(|d| d.sql.clone()));
    Ok((new, sql))
}

/// Refuses a rebuild that drops a column a view or trigger names: SQLite would accept
/// the re-created view and fail only when it is next read, or at the next rename of any
/// table, far from the cause.
fn check_dependents(r: &Renderer, old: &TableShape, new: &TableShape) -> Result<()> {
    let dropped = old
        .table
        .columns
        .iter()
        .filter(|c| !new.table.columns.iter().any(|n| n.name == c.name));
    for column in dropped {
        let Some(dependent) = old
            .dependents
            .iter()
            .find(|d| super::parse::mentions(&d.sql, &column.name))
        else {
            continue;
        };
        let kind = match dependent.kind {
            DependentKind::View => "view",
            DependentKind::Trigger => "trigger",
        };
        return Err(Error::Schema(format!(
            "table `{}`: {kind} `{}` names column `{}`, which this migration drops; \
             drop the {kind} first (`ctx.execute(\"DROP {} {}\")`) and re-create it \
             without the column after the change",
            old.table.name,
            dependent.name,
            column.name,
            kind.to_ascii_uppercase(),
            r.ident(&dependent.name)?,
        )));
    }
    Ok(())
}

/// Refuses operations that do not fit the shape, with a message naming what is missing.
fn check(shape: &TableShape, op: &Operation) -> Result<()> {
    let table = &shape.table;
    let has_column = |c: &str| table.columns.iter().any(|col| col.name == c);
    let fail = |what: String| Err(Error::Schema(format!("table `{}`: {what}", table.name)));
    match op {
        Operation::AddColumn { column, .. } if has_column(&column.name) => {
            fail(format!("column `{}` already exists", column.name))
        }
        Operation::DropColumn { column, .. } | Operation::AlterColumn { column, .. }
            if !has_column(column) =>
        {
            fail(format!("no column `{column}`"))
        }
        Operation::DropColumn { column, .. } if table.primary_key_columns().contains(column) => {
            fail(format!("cannot drop primary-key column `{column}`"))
        }
        Operation::DropConstraint { name, .. }
            if !table
                .constraints
                .iter()
                .any(|c| c.name.as_deref() == Some(name)) =>
        {
            fail(format!("no constraint named `{name}`"))
        }
        Operation::AddConstraint { constraint, .. }
            if constraint.name.is_some()
                && table.constraints.iter().any(|c| c.name == constraint.name) =>
        {
            fail(format!(
                "a constraint named `{}` already exists",
                constraint.name.as_deref().unwrap_or_default()
            ))
        }
        Operation::AddConstraint { constraint, .. }
            if constraint.columns().iter().any(|c| !has_column(c)) =>
        {
            fail("the constraint names a column the table does not have".into())
        }
        Operation::DropIndex { name, .. } if !shape.indexes.iter().any(|i| i.name() == name) => {
            fail(format!("no index named `{name}`"))
        }
        Operation::AddConstraint { constraint, .. }
            if matches!(constraint.kind, ConstraintKind::Check(_)) =>
        {
            Ok(())
        }
        _ => Ok(()),
    }
}
