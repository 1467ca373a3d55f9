package io.github.segmentld.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;

import org.apache.camel.Header;

/**
 * The signatures of webhook deliveries accepted on their signature alone, kept in the state database for the ledger's
 * retention. A delivery whose signature was accepted before is a replay: Segment's own retry of a delivery already
 * accepted, or someone sending a captured one again (a batch with events appended to it included, since the signature
 * covers only the first event). Either way nothing in it is accepted again.
 */
public class AcceptedSignatures {

    /** The header in which the webhook route keeps the signature that authenticated a delivery. */
    public static final String SIGNATURE_HEADER = "webhookSignature";

    private final StateDatabase database;
    private final Clock clock;
    private final Duration retention;

    public AcceptedSignatures(StateDatabase database, Clock clock, Duration retention) {
        this.database = database;
        this.clock = clock;
        this.retention = retention;
    }

    /** True unless the signature was accepted before; a delivery authenticated by the token has none. */
    public boolean fresh(@Header(SIGNATURE_HEADER) String signature) {
        return signature == null || !database.read(c -> {
            try (PreparedStatement sql = c.prepareStatement("SELECT 1 FROM webhook_signature WHERE signature = ?")) {
                sql.setString(1, signature);
                try (ResultSet row = sql.executeQuery()) {
                    return row.next();
                }
            }
        });
    }

    /**
     * Remembers the signature once the delivery's events are on disk, with the next commit: a crash in between costs
     * nothing, as the events' messageIds, remembered by the spool, answer the same replay.
     */
    public void remember(@Header(SIGNATURE_HEADER) String signature) {
        if (signature == null) {
            return;
        }
        long now = clock.millis();
        database.writeLater(c -> {
            try (PreparedStatement sql = c.prepareStatement(
                    "INSERT OR IGNORE INTO webhook_signature (signature, accepted_at) VALUES (?, ?)")) {
                sql.setString(1, signature);
                sql.setLong(2, now);
                return sql.executeUpdate();
            }
        });
    }

    /** Forgets the signatures older than the retention. */
    public void prune() {
        long before = clock.millis() - retention.toMillis();
        database.write(c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM webhook_signature WHERE accepted_at < ?")) {
                delete.setLong(1, before);
                return delete.executeUpdate();
            }
        });
    }
}
