-- The delivery log (PostgreSQL, shared by instances side by side): what became of each Segment event, and of each
-- LaunchDarkly batch. The same schema as sqlite/V1__delivery_log.sql, in PostgreSQL's words.

-- One row per group of events that shared a fate: a LaunchDarkly batch (kind 'batch', its outcome: sending,
-- delivered, retry_pending, dead_lettered, split), or the events of a chunk no mapping took (kind 'filtered') or that
-- were rejected (kind 'rejected'), and one per chunk read (kind 'received', no lines). A row per group rather than per
-- event keeps the log's cost per event to a line of text: event_index holds one line per event (messageId, userId,
-- anonymousId, type, event, destination, mapping, position, receivedAt, reason, separated by tabs), which a search
-- reads newest first; counts holds the group's events by mapping, by type and event name, and by reason (JSON), which
-- the overview adds up.
CREATE TABLE logged_group (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind              TEXT    NOT NULL,
    payload_id        TEXT    UNIQUE,
    destination       TEXT,
    parent_payload_id TEXT,
    events            INTEGER NOT NULL,
    created_at        BIGINT  NOT NULL,
    outcome           TEXT    NOT NULL,
    reason            TEXT,
    outcome_at        BIGINT  NOT NULL,
    delivered_at      BIGINT,
    input             TEXT,
    event_index       TEXT    NOT NULL,
    details           TEXT,
    counts            TEXT
);
CREATE INDEX logged_group_created_at ON logged_group (created_at);

-- The JSON array a batch was posted with: its i-th element is what the i-th line of its group became.
CREATE TABLE logged_payload (
    payload_id TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    payload    TEXT   NOT NULL
);
CREATE INDEX logged_payload_created_at ON logged_payload (created_at);

-- Each request for a batch: when, LaunchDarkly's status (null without an answer), how long, and what failed.
CREATE TABLE logged_attempt (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    payload_id    TEXT    NOT NULL,
    attempted_at  BIGINT  NOT NULL,
    status        INTEGER,
    latency_ms    BIGINT  NOT NULL,
    error         TEXT,
    response_body TEXT
);
CREATE INDEX logged_attempt_payload_id ON logged_attempt (payload_id);
CREATE INDEX logged_attempt_attempted_at ON logged_attempt (attempted_at);
