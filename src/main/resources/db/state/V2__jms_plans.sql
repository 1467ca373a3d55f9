-- The JMS source's chunks not known to be acknowledged: the messages of a queue each one groups, in their order (a JSON
-- array of message IDs), recorded before the chunk is processed, so that messages the broker delivers again (after a
-- crash, or a connection lost) are grouped as before, into chunks with the same payload IDs; and whether it is settled,
-- so that a message of a settled chunk delivered again is acknowledged without being processed again. A chunk is
-- forgotten once the broker has its acknowledgement; the ledger's retention prunes what a crash left.
CREATE TABLE jms_chunk (
  chunk_id TEXT PRIMARY KEY, queue TEXT NOT NULL, message_ids TEXT NOT NULL, planned_at INTEGER NOT NULL,
  settled_at INTEGER);
CREATE INDEX jms_chunk_queue ON jms_chunk (queue);
CREATE INDEX jms_chunk_age ON jms_chunk (planned_at);
PRAGMA user_version = 2;
