-- What plaid-link-server keeps, in the app's own database: every table is prefixed `plaid_link_`, and
-- the migrations are recorded in `plaid_link_migrations`, so that they sit beside the app's tables
-- and its own migrations. One file for SQLite and PostgreSQL alike: the types are ones both read the
-- same way (BYTEA is a blob to SQLite; BIGINT an integer to both).

-- Connected items: the access token sealed under the app's key (AES-256-GCM), with the key's id,
-- bound by its associated data to the item, its owner and the Plaid environment.
CREATE TABLE IF NOT EXISTS plaid_link_items (
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
CREATE TABLE IF NOT EXISTS plaid_link_key_check (
    key_id TEXT PRIMARY KEY,
    nonce BYTEA NOT NULL,
    sealed BYTEA NOT NULL
);

-- Idempotency keys of exchange requests: status NULL while in progress.
CREATE TABLE IF NOT EXISTS plaid_link_idempotency (
    owner TEXT NOT NULL,
    key TEXT NOT NULL,
    body_hash BYTEA NOT NULL,
    status BIGINT,
    answer TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (owner, key)
);

-- Link sessions that end without a public token in onSuccess (Multi-Item Link, Identity
-- Verification): they are read through /link/token/get, so each link token made is kept, for the
-- user who owns it, sealed as access tokens are, for as long as it can be used.
CREATE TABLE IF NOT EXISTS plaid_link_link_tokens (
    -- SHA-256 of the token: how the SESSION_FINISHED webhook finds its owner.
    token_hash BYTEA PRIMARY KEY,
    owner TEXT NOT NULL,
    key_id TEXT NOT NULL,
    nonce BYTEA NOT NULL,
    sealed BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);

-- Public tokens being or having been exchanged, by their SHA-256: the session-finished call and
-- the webhook may both bring the same one, and only the first to claim it exchanges it.
CREATE TABLE IF NOT EXISTS plaid_link_public_tokens (
    token_hash BYTEA PRIMARY KEY,
    owner TEXT NOT NULL,
    -- Set once exchanged and stored.
    item_id TEXT,
    created_at BIGINT NOT NULL
);
