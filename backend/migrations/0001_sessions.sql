-- The reference backend's own table, beside plaid-link-server's: its anonymous browser sessions, by
-- the SHA-256 of their id (never the id), with the separate random user id Plaid knows them by.
CREATE TABLE IF NOT EXISTS sessions (
    id_hash BYTEA PRIMARY KEY,
    plaid_user_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
