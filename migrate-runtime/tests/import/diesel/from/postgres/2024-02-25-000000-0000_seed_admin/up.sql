-- Your SQL goes here
INSERT INTO users (name, email) VALUES ('admin', 'admin@example.org');
