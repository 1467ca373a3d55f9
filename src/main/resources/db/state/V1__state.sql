-- The schema of release 0.1.0, whose databases carry no schema history: such a database is adopted by running this
-- over it (IF NOT EXISTS: it creates only what a crash in the middle of the first start left missing).

-- The outcome of each batch, by payload ID: delivered, parked, dead_lettered or split.
CREATE TABLE IF NOT EXISTS batch_outcome (
  payload_id TEXT PRIMARY KEY, destination TEXT NOT NULL, outcome TEXT NOT NULL, events INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS batch_outcome_age ON batch_outcome (recorded_at);
-- The chunks of inputs whose every batch has an outcome and whose rejections are written.
CREATE TABLE IF NOT EXISTS settled_chunk (chunk_key TEXT PRIMARY KEY, settled_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS settled_chunk_age ON settled_chunk (settled_at);
-- How much of each rejection file belongs to settled chunks; the rest is cut off at start.
CREATE TABLE IF NOT EXISTS rejection_file (
  path TEXT PRIMARY KEY, committed_bytes INTEGER NOT NULL, updated_at INTEGER NOT NULL);
-- The retry queues: batches that failed with a recoverable answer, with their events and their schedule.
CREATE TABLE IF NOT EXISTS parked_batch (
  payload_id TEXT PRIMARY KEY, destination TEXT NOT NULL, events INTEGER NOT NULL, bytes INTEGER NOT NULL,
  document BLOB NOT NULL, first_failed_at INTEGER NOT NULL, attempts INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL, last_failure TEXT);
CREATE INDEX IF NOT EXISTS parked_batch_due ON parked_batch (destination, next_attempt_at);
CREATE INDEX IF NOT EXISTS parked_batch_age ON parked_batch (destination, first_failed_at);
-- With the retry queues shared on Kafka: each parked batch's partition of the topic, which says who sends it.
CREATE TABLE IF NOT EXISTS parked_partition (payload_id TEXT PRIMARY KEY, partition INTEGER NOT NULL);
-- The size of each retry queue, kept with every change to it, and counted anew at each start.
CREATE TABLE IF NOT EXISTS queue_depth (
  destination TEXT PRIMARY KEY, batches INTEGER NOT NULL, events INTEGER NOT NULL, bytes INTEGER NOT NULL);
-- The signatures of webhook deliveries accepted on their signature alone, so that a replay is not accepted.
CREATE TABLE IF NOT EXISTS webhook_signature (signature TEXT PRIMARY KEY, accepted_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS webhook_signature_age ON webhook_signature (accepted_at);
PRAGMA user_version = 1;
