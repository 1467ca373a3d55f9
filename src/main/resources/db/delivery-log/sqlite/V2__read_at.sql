-- When the service read a batch's events (took their chunk from the file, the spool segment or the Kafka records), in
-- epoch milliseconds on the clock of delivered_at: the service's latency for them is delivered_at - read_at, whatever
-- the events' own receivedAt says (a backfill of month-old events is delivered in seconds). Null for the other kinds
-- of group, for a batch loaded back from a retry queue whose row was lost, and for rows written before this version.
ALTER TABLE logged_group ADD COLUMN read_at BIGINT;
