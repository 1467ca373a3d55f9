package io.github.segmentld.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import io.github.segmentld.MutableClock;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AcceptedSignaturesTest {

    @TempDir
    Path dir;

    private final CamelContext camel = new DefaultCamelContext();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    private Exchange delivery(String signature) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setHeader(AcceptedSignatures.SIGNATURE_HEADER, signature);
        return exchange;
    }

    private static void done(Exchange exchange) {
        exchange.getExchangeExtension().handoverCompletions().forEach(completion -> completion.onComplete(exchange));
    }

    @Test
    void aSignatureBeingAcceptedOrAcceptedBeforeCannotBeClaimedAgain() {
        StateDatabase database = new StateDatabase(dir.resolve("state.db"), clock);
        database.start();
        try {
            AcceptedSignatures signatures = new AcceptedSignatures(database, clock);
            Exchange first = delivery("aa11");
            Exchange failed = delivery("bb22");

            assertThat(signatures.claim(first)).isTrue();
            assertThat(signatures.claim(delivery("aa11"))).as("while the first is being accepted").isFalse();
            assertThat(signatures.claim(failed)).isTrue();
            signatures.remember("aa11");
            done(first);
            done(failed);

            assertThat(signatures.claim(delivery("aa11"))).as("accepted before").isFalse();
            assertThat(signatures.claim(delivery("bb22"))).as("its delivery failed: a retry is welcome").isTrue();
            assertThat(signatures.claim(delivery(null))).as("authenticated by the token").isTrue();
        } finally {
            database.stop();
        }
    }

    @Test
    void aSignatureIsKnownAcrossARestartUntilItsRetentionIsOver() {
        Path file = dir.resolve("state.db");
        StateDatabase database = new StateDatabase(file, clock);
        database.start();
        new AcceptedSignatures(database, clock).remember("aa11");
        database.stop();

        StateDatabase reopened = new StateDatabase(file, clock);
        reopened.start();
        try {
            AcceptedSignatures signatures = new AcceptedSignatures(reopened, clock);
            DeliveryLedger ledger = new DeliveryLedger(reopened, clock, Duration.ofHours(336));
            assertThat(signatures.claim(delivery("aa11"))).isFalse();

            clock.advance(Duration.ofHours(335));
            ledger.prune();
            assertThat(signatures.claim(delivery("aa11"))).isFalse();
            clock.advance(Duration.ofHours(2));
            ledger.prune();
            assertThat(signatures.claim(delivery("aa11"))).isTrue();
        } finally {
            reopened.stop();
        }
    }
}
