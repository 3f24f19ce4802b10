//! diesel initial setup

use migrate_runtime::prelude::*;

/// diesel initial setup
#[migration(revision = "00000000000000_diesel_initial_setup", downgrade = downgrade)]
pub(crate) fn upgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/00000000000000_diesel_initial_setup/up.sql`, verbatim
    ctx.execute(r"-- Set up by `diesel setup`: helper functions the later migrations use.

-- diesel_manage_updated_at('t') adds a trigger to table t that keeps its `updated_at`
-- column current on every update that does not set it itself.
CREATE OR REPLACE FUNCTION diesel_manage_updated_at(_tbl regclass) RETURNS VOID AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER set_updated_at BEFORE UPDATE ON %s
                    FOR EACH ROW EXECUTE PROCEDURE diesel_set_updated_at()', _tbl);
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION diesel_set_updated_at() RETURNS trigger AS $$
BEGIN
    IF (NEW IS DISTINCT FROM OLD AND NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at) THEN
        NEW.updated_at := current_timestamp;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
")
}

pub(crate) fn downgrade(ctx: &mut MigrationContext<'_>) -> Result<()> {
    // `migrations/00000000000000_diesel_initial_setup/down.sql`, verbatim
    ctx.execute(r"-- Set up by `diesel setup`.

DROP FUNCTION IF EXISTS diesel_manage_updated_at(_tbl regclass);
DROP FUNCTION IF EXISTS diesel_set_updated_at();
")
}
