-- A bank being added for a user while its public token is exchanged: two tabs adding the same bank
-- at once take turns, so that the second finds the first's item and is refused as a duplicate. A
-- lease like the other claims: renewed while the work goes on, taken over once abandoned.
CREATE TABLE IF NOT EXISTS plaid_link_adding (
    owner TEXT NOT NULL,
    institution_id TEXT NOT NULL,
    renewed_at BIGINT NOT NULL,
    PRIMARY KEY (owner, institution_id)
);
