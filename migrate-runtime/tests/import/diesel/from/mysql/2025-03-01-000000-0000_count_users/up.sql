-- Your SQL goes here
CREATE INDEX users_email_idx ON users (email);
CREATE PROCEDURE count_users(OUT total INT)
BEGIN
  SELECT COUNT(*) INTO total FROM users;
END;
