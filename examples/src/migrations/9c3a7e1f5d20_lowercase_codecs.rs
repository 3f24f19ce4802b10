//! Normalises codec names to lower case (`H264` and `h264` were both in use).
//!
//! Irreversible: the original spelling of each codec name is not kept anywhere, so there is
//! nothing to restore it from. Downgrading past this revision is refused; restore a backup
//! or `stamp` the previous revision if the old spelling does not matter.

use migrate_runtime::prelude::*;

/// Lowercase codec names
#[migration(revision = "9c3a7e1f5d20", revises = "8b2f6d4a0c19", irreversible)]
fn lowercase_codecs(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute("UPDATE videos SET codec = LOWER(codec) WHERE codec IS NOT NULL")
}
