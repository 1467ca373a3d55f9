-- The delivery log (SQLite): what became of each Segment event, and of each LaunchDarkly batch. Kept apart from the
-- state database: it is a record for people, pruned by age and size, and may be lost or recreated without costing
-- an event. postgresql/V1__delivery_log.sql is the same schema for a shared database.

-- One row per Segment event and destination mapping: the LaunchDarkly event it became (outcome 'sent': its batch
-- tells the rest), or why it was filtered or rejected. event_key makes a row written again after a crash a no-op.
CREATE TABLE logged_event (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    event_key          TEXT    NOT NULL UNIQUE,
    logged_at          BIGINT  NOT NULL,
    received_at        BIGINT  NOT NULL,
    input              TEXT    NOT NULL,
    position           TEXT    NOT NULL,
    message_id         TEXT,
    user_id            TEXT,
    anonymous_id       TEXT,
    event_type         TEXT,
    event_name         TEXT,
    destination        TEXT,
    mapping            TEXT,
    outcome            TEXT    NOT NULL,
    reason             TEXT,
    detail             TEXT,
    payload_id         TEXT,
    segment_event      TEXT,
    launchdarkly_event TEXT
);
CREATE INDEX logged_event_message_id ON logged_event (message_id);
CREATE INDEX logged_event_user_id ON logged_event (user_id);
CREATE INDEX logged_event_anonymous_id ON logged_event (anonymous_id);
CREATE INDEX logged_event_payload_id ON logged_event (payload_id);
CREATE INDEX logged_event_logged_at ON logged_event (logged_at);

-- One row per batch: where it went and its outcome (sending, delivered, retry_pending, dead_lettered, split).
CREATE TABLE logged_batch (
    payload_id        TEXT    PRIMARY KEY,
    destination       TEXT    NOT NULL,
    parent_payload_id TEXT,
    events            INTEGER NOT NULL,
    created_at        BIGINT  NOT NULL,
    outcome           TEXT    NOT NULL,
    reason            TEXT,
    outcome_at        BIGINT  NOT NULL,
    delivered_at      BIGINT
);
CREATE INDEX logged_batch_created_at ON logged_batch (created_at);

-- Each request for a batch: when, LaunchDarkly's status (null without an answer), how long, and what failed.
CREATE TABLE logged_attempt (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    payload_id    TEXT    NOT NULL,
    attempted_at  BIGINT  NOT NULL,
    status        INTEGER,
    latency_ms    BIGINT  NOT NULL,
    error         TEXT,
    response_body TEXT
);
CREATE INDEX logged_attempt_payload_id ON logged_attempt (payload_id);
CREATE INDEX logged_attempt_attempted_at ON logged_attempt (attempted_at);
