CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL);
CREATE INDEX users_name_idx ON users (name);
