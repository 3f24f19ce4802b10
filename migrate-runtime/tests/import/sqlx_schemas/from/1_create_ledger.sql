CREATE TABLE migrate_sqlx_accounts.ledger (id INTEGER PRIMARY KEY, cents BIGINT NOT NULL);
