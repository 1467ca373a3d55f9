package io.github.segmentld.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

import io.github.segmentld.store.StateDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A state database whose writer does not answer gets a request that needs it answered 503 with Retry-After, not hung. */
class StateDatabaseStallTest extends HttpSourceTestSupport {

    @Override
    protected void adjust(Properties properties) {
        properties.setProperty("store.write-timeout-ms", "300");
        properties.setProperty("spool.retry-after-seconds", "7");
    }

    @Test
    @Timeout(60)
    void aSignedWebhookWhoseSignatureCannotBeRecordedIsAnswered503AndTheRetryIsAcceptedOnce() throws Exception {
        StateDatabase state = context.getRegistry().lookupByNameAndType("stateDatabase", StateDatabase.class);
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        state.writeLater(c -> {
            stuck.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new SQLException(e);
            }
            return null;
        });
        stuck.await();
        String event = "{\"type\":\"track\",\"userId\":\"w0\",\"event\":\"Hooked\",\"messageId\":\"m-stall\"}";

        HttpResponse<String> stalled = postWebhook(event, Map.of("X-Signature", signature(event)));

        assertThat(stalled.statusCode()).isEqualTo(503);
        assertThat(stalled.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(stalled.body())
                .isEqualTo("{\"success\":false,\"message\":\"the service cannot store events right now; try again later\"}");

        release.countDown();
        HttpResponse<String> retried = postWebhook(event, Map.of("X-Signature", signature(event)));

        assertThat(retried.statusCode()).isEqualTo(200);
        assertThat(spooled()).extracting(e -> e.path("messageId").asText()).containsExactly("m-stall");
    }
}
