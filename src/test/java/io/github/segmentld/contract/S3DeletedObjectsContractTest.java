package io.github.segmentld.contract;

import static io.github.segmentld.TestInbox.gzip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.Test;

/** s3.after-read = delete: an object is deleted once every event in it is settled. */
class S3DeletedObjectsContractTest extends S3SourceTestSupport {

    @Override
    protected String afterRead() {
        return "delete";
    }

    @Test
    void aSettledObjectIsDeleted() {
        put(KEY, gzip(TestInbox.trackLines(1, 3)));

        await().atMost(Duration.ofSeconds(30)).until(() -> keys().isEmpty());
        assertThat(LAUNCHDARKLY.acceptedUsers()).containsExactlyInAnyOrder("u1", "u2", "u3");
    }
}
