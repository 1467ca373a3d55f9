package io.github.segmentld.launchdarkly;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;

/**
 * The destinations whose credential LaunchDarkly refused: a client-side ID it does not know, an access token that is
 * wrong or whose role lacks importEventData. Every batch of such a destination is dead-lettered until someone mends the
 * credential, which no retry can do, so the destinations health check names it until one of its batches is delivered.
 */
public class CredentialRefusals {

    /** The last refusal: when, and the reason its batch was dead-lettered with. */
    public record Refusal(Instant at, String reason) {
    }

    private final Map<String, Refusal> refusals = new ConcurrentHashMap<>();
    private final Clock clock;

    public CredentialRefusals(Clock clock) {
        this.clock = clock;
    }

    /** Notes a permanent refusal of a batch, once its reason is set, if it refuses the destination's credential. */
    public void refused(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause,
                        @ExchangeProperty(LaunchDarklyBatch.PROPERTY) LaunchDarklyBatch batch,
                        @ExchangeProperty(FailureDescriptions.DEAD_LETTER_REASON) String reason) {
        if (FailureDescriptions.refusesCredential(batch.destination(), FailureDescriptions.status(cause))) {
            refusals.put(batch.destination().name(), new Refusal(clock.instant(), reason));
        }
    }

    /** LaunchDarkly accepted a batch of the destination: its credential is good. */
    public void accepted(String destination) {
        refusals.remove(destination);
    }

    /** The destination's last refusal since its last accepted batch, or null. */
    public Refusal refusal(String destination) {
        return refusals.get(destination);
    }
}
