-- 0005_push_pipeline carries the push pipeline and the scheduler.
--
-- A push_queue row moves pending → generating → ready (→ awaiting_approval)
-- → sending → sent, or ends failed (attempts, last_error), expired (the
-- discount window closed) or rejected (staff said no). A worker owns a row
-- while it holds the row's lease (lease_owner, lease_until); a worker that
-- dies leaves a lease that runs out, and the row is taken over. What was
-- already delivered is kept per delivery key and channel in
-- push_deliveries, so a takeover resends nothing that was recorded.

ALTER TABLE push_queue ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE push_queue ADD COLUMN lease_until TEXT;              -- UTC instant; NULL: nobody holds the row
ALTER TABLE push_queue ADD COLUMN next_attempt_at TEXT;          -- UTC instant; NULL: at once (backoff after a failure)
ALTER TABLE push_queue ADD COLUMN expires_at TEXT;               -- UTC instant; the end of the discount window
ALTER TABLE push_queue ADD COLUMN approval TEXT NOT NULL DEFAULT ''; -- '', requested, approved, rejected
ALTER TABLE push_queue ADD COLUMN approval_deadline TEXT;        -- UTC instant, while approval is requested
ALTER TABLE push_queue ADD COLUMN decided_by TEXT NOT NULL DEFAULT '';
ALTER TABLE push_queue ADD COLUMN sent_at TEXT;
CREATE INDEX push_queue_due ON push_queue (status, next_attempt_at, id);
CREATE INDEX push_queue_date ON push_queue (date, status);
CREATE INDEX push_queue_no_expiry ON push_queue (date) WHERE expires_at IS NULL;

-- push_messages is the copy of a push, one per target segment.
CREATE TABLE push_messages (
    push_id      INTEGER NOT NULL REFERENCES push_queue (id) ON DELETE CASCADE,
    segment      TEXT    NOT NULL,
    locale       TEXT    NOT NULL,
    headline     TEXT    NOT NULL,
    push_text    TEXT    NOT NULL,
    action_line  TEXT    NOT NULL,
    discount_pct INTEGER NOT NULL,
    outcome      TEXT    NOT NULL, -- llm, repaired or fallback
    reason       TEXT    NOT NULL DEFAULT '',
    created_at   TEXT    NOT NULL,
    PRIMARY KEY (push_id, segment)
);

-- push_deliveries records each delivery once it is done. key is the
-- delivery key date:store:product:segment, the same on every channel and
-- sent to webhooks as Idempotency-Key.
CREATE TABLE push_deliveries (
    key          TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    push_id      INTEGER NOT NULL,
    segment      TEXT    NOT NULL,
    attempts     INTEGER NOT NULL,
    detail       TEXT    NOT NULL DEFAULT '',
    delivered_at TEXT    NOT NULL,
    PRIMARY KEY (key, channel)
);
CREATE INDEX push_deliveries_push ON push_deliveries (push_id);

-- push_feed is the customers' feed: one row per delivered message, inserted
-- once per key; seq orders it and is the SSE event id apps resume from.
CREATE TABLE push_feed (
    seq        INTEGER NOT NULL PRIMARY KEY,
    key        TEXT    NOT NULL UNIQUE,
    push_id    INTEGER NOT NULL,
    store_id   TEXT    NOT NULL,
    product_id TEXT    NOT NULL,
    segment    TEXT    NOT NULL,
    date       TEXT    NOT NULL,
    message    TEXT    NOT NULL, -- JSON, as the app receives it
    created_at TEXT    NOT NULL,
    expires_at TEXT              -- UTC instant; the offer is void after it
);
CREATE INDEX push_feed_store ON push_feed (store_id, seq);

-- Scheduler: a run knows the slot it was scheduled for (NULL when started
-- by hand), why it ran and which host process ran it.
ALTER TABLE scheduled_runs ADD COLUMN scheduled_for TEXT;  -- UTC instant of the cron slot
ALTER TABLE scheduled_runs ADD COLUMN cause TEXT NOT NULL DEFAULT 'schedule'; -- schedule, catchup, manual
ALTER TABLE scheduled_runs ADD COLUMN owner TEXT NOT NULL DEFAULT '';
CREATE INDEX scheduled_runs_slot ON scheduled_runs (job, scheduled_for);
CREATE INDEX scheduled_runs_status ON scheduled_runs (status);

-- job_leases keeps one run of a job at a time across processes: a run
-- holds its job's lease and renews it while it works.
CREATE TABLE job_leases (
    job         TEXT    NOT NULL PRIMARY KEY,
    owner       TEXT    NOT NULL,
    run_id      INTEGER NOT NULL,
    acquired_at TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL
);
