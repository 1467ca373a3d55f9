-- The JMS source's chunks, planned before they are processed: the messages of a queue each one groups, in their order,
-- so that messages the broker delivers again (after a crash, or a connection lost) are grouped as before, into chunks
-- with the same payload IDs; and whether it is settled, so that a message of a settled chunk delivered again is
-- acknowledged without being processed again. Kept as long as the ledger's outcomes.
CREATE TABLE jms_chunk (
  chunk_id TEXT PRIMARY KEY, queue TEXT NOT NULL, messages INTEGER NOT NULL, planned_at INTEGER NOT NULL,
  settled_at INTEGER);
CREATE INDEX jms_chunk_age ON jms_chunk (planned_at);
CREATE TABLE jms_planned_message (
  queue TEXT NOT NULL, message_id TEXT NOT NULL, chunk_id TEXT NOT NULL, position INTEGER NOT NULL,
  PRIMARY KEY (queue, message_id)) WITHOUT ROWID;
CREATE INDEX jms_planned_message_chunk ON jms_planned_message (chunk_id);
PRAGMA user_version = 2;
