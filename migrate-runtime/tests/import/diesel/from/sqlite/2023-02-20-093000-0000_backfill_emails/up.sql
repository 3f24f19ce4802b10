-- Your SQL goes here
UPDATE users SET email = name || '@example.org' WHERE email IS NULL;
