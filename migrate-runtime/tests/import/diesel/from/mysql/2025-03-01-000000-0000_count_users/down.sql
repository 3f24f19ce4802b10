-- This file should undo anything in `up.sql`
DROP PROCEDURE count_users;
DROP INDEX users_email_idx ON users;
