-- Your SQL goes here
CREATE INDEX users_email_idx ON users (email);
-- VACUUM cannot run inside a transaction.
VACUUM;
