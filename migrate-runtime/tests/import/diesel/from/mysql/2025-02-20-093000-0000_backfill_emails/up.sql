-- Your SQL goes here
UPDATE users SET email = CONCAT(name, '@example.org') WHERE email IS NULL;
