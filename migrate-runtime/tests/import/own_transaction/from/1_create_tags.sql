-- Commits itself, as a file from yas does: sqlx's transaction ends at its COMMIT.
BEGIN;
CREATE TABLE tags (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);
INSERT INTO tags (id, name) VALUES (1, 'rust');
COMMIT;
