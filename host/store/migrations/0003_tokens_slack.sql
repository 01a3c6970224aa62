-- 0003_tokens_slack adds API tokens, one-time sign-in codes and the Slack
-- event ledger. Only hashes of tokens and codes are kept (hex SHA-256): the
-- secret itself is shown once, when it is made.

CREATE TABLE api_tokens (
    id           TEXT NOT NULL PRIMARY KEY, -- public part of the token (crumb_<id>_<secret>)
    name         TEXT NOT NULL,             -- who holds it; conversations belong to this name
    role         TEXT NOT NULL,             -- staff, marketer or admin
    kind         TEXT NOT NULL,             -- api (made by `crumb token create`) or session (web sign-in)
    hash         TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT,                      -- NULL: never
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX api_tokens_name ON api_tokens (name);

CREATE TABLE signin_codes (
    hash       TEXT NOT NULL PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT -- NULL until redeemed; a code is redeemed once
);

-- slack_events is the durable de-duplication ledger: one row per Slack
-- event id (or slash command / interaction trigger id). The row is claimed
-- before any reply is made, so a retry or a replay finds it and makes none.
CREATE TABLE slack_events (
    key        TEXT    NOT NULL PRIMARY KEY, -- event:<event_id>, command:<trigger_id>, action:<trigger_id>
    channel    TEXT    NOT NULL,
    status     TEXT    NOT NULL,             -- claimed, answered, failed
    reply_ts   TEXT    NOT NULL DEFAULT '',  -- the message that carries the answer, once posted
    attempts   INTEGER NOT NULL DEFAULT 1,
    claimed_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    error      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX slack_events_claimed ON slack_events (claimed_at);
