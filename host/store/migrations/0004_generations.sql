-- 0004_generations logs every structured generation (host/llm): the prompt
-- version, the request and conversation it served, how it ended (llm,
-- repaired, fallback, or error when the fallback failed its own checks) and
-- why, so that any text a user saw can be traced to the model call, or the
-- template, that wrote it.

CREATE TABLE generations (
    id              INTEGER NOT NULL PRIMARY KEY,
    at              TEXT    NOT NULL,
    request_id      TEXT    NOT NULL,
    conversation_id TEXT    NOT NULL,
    prompt          TEXT    NOT NULL, -- id@vN
    locale          TEXT    NOT NULL,
    outcome         TEXT    NOT NULL, -- llm, repaired, fallback, error
    reason          TEXT    NOT NULL, -- schema, guard, timeout, breaker_open, no_provider … ('' when the first answer passed)
    detail          TEXT    NOT NULL,
    problems        TEXT,             -- JSON array of what each rejected answer got wrong; NULL when none
    attempts        INTEGER NOT NULL,
    provider        TEXT    NOT NULL, -- openai, anthropic, ollama, or template
    model           TEXT    NOT NULL,
    duration_ms     REAL    NOT NULL,
    output          TEXT              -- JSON, NULL on error
);
CREATE INDEX generations_request ON generations (request_id);
CREATE INDEX generations_conversation ON generations (conversation_id, at);
CREATE INDEX generations_at ON generations (at, id);
