package io.github.segmentld.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import io.github.segmentld.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AcceptedSignaturesTest {

    @TempDir
    Path dir;

    @Test
    void aSignatureIsKnownAcrossARestartUntilItsRetentionIsOver() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        Path file = dir.resolve("state.db");
        StateDatabase database = new StateDatabase(file, clock);
        database.start();
        AcceptedSignatures signatures = new AcceptedSignatures(database, clock, Duration.ofHours(336));
        signatures.remember("aa11");
        signatures.remember(null);
        database.stop();

        StateDatabase reopened = new StateDatabase(file, clock);
        reopened.start();
        try {
            AcceptedSignatures again = new AcceptedSignatures(reopened, clock, Duration.ofHours(336));
            assertThat(again.fresh("aa11")).isFalse();
            assertThat(again.fresh("bb22")).isTrue();
            assertThat(again.fresh(null)).isTrue();

            clock.advance(Duration.ofHours(335));
            again.prune();
            assertThat(again.fresh("aa11")).isFalse();
            clock.advance(Duration.ofHours(2));
            again.prune();
            assertThat(again.fresh("aa11")).isTrue();
        } finally {
            reopened.stop();
        }
    }
}
