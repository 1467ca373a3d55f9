package io.github.segmentld.contract;

import static io.github.segmentld.TestInbox.gzip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.Test;

/** s3.after-read = tag: objects stay where they are, tagged once settled, and a tagged object is not read again. */
class S3TaggedObjectsContractTest extends S3SourceTestSupport {

    @Override
    protected String afterRead() {
        return "tag";
    }

    @Test
    void aSettledObjectIsTaggedAndNotReadAgainAndAnUnreadableOneIsTaggedWithItsReason() {
        String second = "segment-logs/source-1/2022-03-31/second.gz";
        String broken = "segment-logs/source-1/2022-03-31/broken.gz";
        long getsBefore = s3().gets();
        put(KEY, gzip(TestInbox.trackLines(1, 3)));
        await().atMost(Duration.ofSeconds(30)).until(() -> !s3().tags(bucket, KEY).isEmpty());
        assertThat(s3().tags(bucket, KEY)).isEqualTo(Map.of("segment-launchdarkly", "done"));

        // polls go on: the next objects are read, the tagged one is not
        put(second, gzip(TestInbox.trackLines(4, 5)));
        put(broken, "[{\"type\": }]".getBytes());
        await().atMost(Duration.ofSeconds(30)).until(() -> !s3().tags(bucket, second).isEmpty()
                && !s3().tags(bucket, broken).isEmpty());

        assertThat(keys()).containsExactly(KEY, broken, second);
        assertThat(s3().tags(bucket, broken)).containsEntry("segment-launchdarkly", "failed")
                .containsEntry("segment-launchdarkly-reason", "broken off after 0 events  at item 1  line 1  column 12 "
                        + " byte 11 : Unexpected character       code 125  : expected a value");
        assertThat(LAUNCHDARKLY.acceptedUsers()).containsExactlyInAnyOrder("u1", "u2", "u3", "u4", "u5");
        // each object read once: its stream and a look at its first line (a JSON array needs no look)
        assertThat(s3().gets() - getsBefore).isEqualTo(5);
    }
}
