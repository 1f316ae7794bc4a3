-- Link sessions that end without a public token in onSuccess (Multi-Item Link, Identity
-- Verification): the backend reads them through /link/token/get, so it keeps each link token it
-- made, for the session that owns it, sealed as access tokens are, for as long as it can be used.
CREATE TABLE IF NOT EXISTS link_tokens (
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
CREATE TABLE IF NOT EXISTS public_tokens (
    token_hash BYTEA PRIMARY KEY,
    owner TEXT NOT NULL,
    -- Set once exchanged and stored.
    item_id TEXT,
    created_at BIGINT NOT NULL
);
