package io.github.segmentld.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

import io.github.segmentld.ChildApplication;
import io.github.segmentld.S3StandIn;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * kill -9 in the middle of an S3 object, then a restart: the object is still in its place, is read again from its
 * start, and its settled chunks are skipped; every event reaches LaunchDarkly, none under two payload IDs, and the
 * object is moved once it is settled.
 */
class S3KillTest extends ChildApplicationTestSupport {

    private static final int EVENTS = 3000;
    private static final int CHUNK = 100;
    private static final int CONCURRENCY = 2;
    private static final String BUCKET = "segment-exports";
    private static final String KEY = "segment-logs/source-1/2024-01-01/1704067200000.9c1e.gz";

    private final TestInbox inbox = TestInbox.create("s3-kill");
    private final S3StandIn s3 = new S3StandIn();

    @AfterEach
    void stopS3() throws Exception {
        s3.close();
    }

    @Test
    void anObjectInterruptedByKill9IsFinishedAfterRestartWithoutLossOrDoubles() throws Exception {
        int batches = EVENTS / CHUNK;
        int answeredBeforeKill = batches / 3;
        // the chunks one instance has started and not settled at most: the workers, their queue, the reading thread
        int inFlight = 2 * CONCURRENCY + 1;
        Properties settings = inbox.properties(launchDarkly.baseUrl());
        settings.putAll(s3.properties(BUCKET));
        settings.setProperty("pipeline.chunk-size", Integer.toString(CHUNK));
        settings.setProperty("pipeline.concurrency", Integer.toString(CONCURRENCY));
        s3.put(BUCKET, KEY, TestInbox.gzip(TestInbox.trackLines(1, EVENTS)));
        launchDarkly.holdAfter("", answeredBeforeKill);

        application = ChildApplication.start(inbox, settings, "first.log");
        await().atMost(Duration.ofSeconds(60)).until(() -> launchDarkly.held("") > 0);
        ChildApplication.kill(application);
        long requestsAtKill = launchDarkly.requests();
        launchDarkly.release();
        assertThat(s3.keys(BUCKET)).as("not moved before it was settled").containsExactly(KEY);

        application = ChildApplication.start(inbox, settings, "second.log");
        await().atMost(Duration.ofSeconds(90)).until(() -> s3.keys(BUCKET).equals(List.of("done/" + KEY)));
        assertThat(launchDarkly.acceptedUsers("test-client-id")).isEqualTo(EVENTS);
        assertThat(launchDarkly.doubled()).as("events accepted under two payload IDs").isEmpty();
        assertThat(launchDarkly.requests() - requestsAtKill).as("the settled chunks are not sent again")
                .isLessThanOrEqualTo(batches - answeredBeforeKill + inFlight);
    }
}
