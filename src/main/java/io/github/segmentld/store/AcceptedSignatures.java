package io.github.segmentld.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.HashSet;
import java.util.Set;

import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * The signatures of webhook deliveries accepted on their signature alone, kept in the state database for the ledger's
 * retention ({@link DeliveryLedger#prune}). A delivery whose signature was accepted before is a replay: Segment's own retry of a delivery already
 * accepted, or someone sending a captured one again (a batch with events appended to it included, since the signature
 * covers only the first event). Either way nothing in it is accepted again.
 */
public class AcceptedSignatures {

    /** The header in which the webhook route keeps the signature that authenticated a delivery. */
    public static final String SIGNATURE_HEADER = "webhookSignature";

    private final StateDatabase database;
    private final Clock clock;
    /** The signatures of the deliveries being accepted right now: as many as requests in flight at the most. */
    private final Set<String> inFlight = new HashSet<>();

    public AcceptedSignatures(StateDatabase database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /**
     * Claims the delivery's signature for this exchange: false when it was accepted before or another request with it
     * is being accepted right now (a replay), else true until the exchange is done. A delivery authenticated by the
     * token has no signature and is always true.
     */
    public boolean claim(Exchange exchange) {
        String signature = exchange.getMessage().getHeader(SIGNATURE_HEADER, String.class);
        if (signature == null) {
            return true;
        }
        synchronized (inFlight) {
            if (inFlight.contains(signature) || known(signature)) {
                return false;
            }
            inFlight.add(signature);
        }
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                synchronized (inFlight) {
                    inFlight.remove(signature);
                }
            }
        });
        return true;
    }

    /** Remembers the signature once the delivery's events are on disk, and returns once that is committed too. */
    public void remember(@Header(SIGNATURE_HEADER) String signature) {
        if (signature == null) {
            return;
        }
        long now = clock.millis();
        database.write(c -> {
            try (PreparedStatement sql = c.prepareStatement(
                    "INSERT OR IGNORE INTO webhook_signature (signature, accepted_at) VALUES (?, ?)")) {
                sql.setString(1, signature);
                sql.setLong(2, now);
                return sql.executeUpdate();
            }
        });
    }

    private boolean known(String signature) {
        return database.read(c -> {
            try (PreparedStatement sql = c.prepareStatement("SELECT 1 FROM webhook_signature WHERE signature = ?")) {
                sql.setString(1, signature);
                try (ResultSet row = sql.executeQuery()) {
                    return row.next();
                }
            }
        });
    }
}
