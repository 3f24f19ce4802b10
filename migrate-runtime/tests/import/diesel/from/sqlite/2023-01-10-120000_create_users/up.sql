-- Your SQL goes here
CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  name TEXT NOT NULL
);
CREATE INDEX users_name_idx ON users (name);
-- Names are stored trimmed.
CREATE TRIGGER users_trim_name AFTER UPDATE OF name ON users
BEGIN
  UPDATE users SET name = trim(NEW.name) WHERE id = NEW.id AND NEW.name <> trim(NEW.name);
END;
