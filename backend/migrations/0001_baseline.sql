-- What the backend keeps (see src/store/). One file for SQLite and PostgreSQL alike: the types are
-- ones both read the same way (BYTEA is a blob to SQLite; BIGINT an integer to both). `IF NOT
-- EXISTS` adopts a SQLite file made before migrations, whose tables already have these columns.

-- Connected items: the access token sealed under a key from the environment (AES-256-GCM), with the
-- key's id, bound by its associated data to the item, its owner and the Plaid environment.
CREATE TABLE IF NOT EXISTS items (
    item_id TEXT PRIMARY KEY,
    client_user_id TEXT NOT NULL,
    institution_id TEXT,
    institution_name TEXT,
    nonce BYTEA NOT NULL,
    access_token BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    environment TEXT,
    key_id TEXT,
    -- `ok`, or `login_required` (Plaid's ITEM_LOGIN_REQUIRED webhook).
    status TEXT,
    -- JSON: [{"id", "name", "mask", "type", "subtype"}]; names and masks, nothing secret.
    accounts TEXT
);

-- One row per key ever used: a known text sealed under it, to tell a wrong key at start-up.
CREATE TABLE IF NOT EXISTS key_check (
    key_id TEXT PRIMARY KEY,
    nonce BYTEA NOT NULL,
    sealed BYTEA NOT NULL
);

-- Idempotency keys of exchange requests: status NULL while in progress.
CREATE TABLE IF NOT EXISTS idempotency (
    owner TEXT NOT NULL,
    key TEXT NOT NULL,
    body_hash BYTEA NOT NULL,
    status BIGINT,
    answer TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (owner, key)
);

-- Browser sessions, by the SHA-256 of their id (never the id), with the separate random user id
-- Plaid knows them by.
CREATE TABLE IF NOT EXISTS sessions (
    id_hash BYTEA PRIMARY KEY,
    plaid_user_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
