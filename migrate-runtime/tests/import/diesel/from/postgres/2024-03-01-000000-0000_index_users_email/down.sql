-- This file should undo anything in `up.sql`
DROP INDEX CONCURRENTLY users_email_idx;
