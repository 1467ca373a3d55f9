package io.github.segmentld.launchdarkly;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Map;

import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.junit.jupiter.api.Test;

/** Each redelivery and dead letter says what really happened, never "unknown failure", and never the client-side ID. */
class FailureDescriptionsTest {

    private final FailureDescriptions failures = new FailureDescriptions(Duration.ofSeconds(10), Duration.ofSeconds(30));
    private final EventsEndpoint destination =
            EventsEndpoint.of("production", "5f9a1b2c3d4e5f6a7b8c9d0e", null, null);

    @Test
    void eachCauseIsNamed() {
        assertThat(failures.describe(new HttpOperationFailedException(destination.eventsUrl(), 503, "Service Unavailable",
                null, Map.of(), ""), destination)).isEqualTo("LaunchDarkly answered 503 Service Unavailable");
        assertThat(failures.describe(new HttpHostConnectException("Connect to " + destination.eventsUrl()
                + " failed: Connection refused"), destination)).isEqualTo("connection refused");
        assertThat(failures.describe(new ConnectException("Connection refused"), destination)).isEqualTo("connection refused");
        assertThat(failures.describe(new SocketTimeoutException("Read timed out"), destination))
                .isEqualTo("read timed out after 30 s");
        assertThat(failures.describe(new ConnectTimeoutException("Connect timed out"), destination))
                .isEqualTo("connect timed out after 10 s");
        assertThat(failures.describe(new NoHttpResponseException("127.0.0.1:1 failed to respond"), destination))
                .isEqualTo("the connection was closed without an answer");
        assertThat(failures.describe(new RuntimeException("wrapped", new SocketTimeoutException("Read timed out")),
                destination)).isEqualTo("read timed out after 30 s");
    }

    @Test
    void theClientSideIdNeverAppears() {
        String described = failures.describe(new IOException("failed to send to " + destination.eventsUrl()), destination);

        assertThat(described).doesNotContain("5f9a1b2c3d4e5f6a7b8c9d0e").contains(destination.maskedCredential());
    }

    @Test
    void a401Or403RefusesAnAccessTokenAndA404TheBatchWhereA404AlsoRefusesAClientSideId() {
        EventsEndpoint metricImport = EventsEndpoint.metricImport("backfill", "api-0f2b8c4d-secret-1e7a",
                EventsEndpoint.metricImportUrl("shop", "production", EventsEndpoint.Region.US, null));

        assertThat(FailureDescriptions.refusesCredential(metricImport, 401)).isTrue();
        assertThat(FailureDescriptions.refusesCredential(metricImport, 403)).isTrue();
        assertThat(FailureDescriptions.refusesCredential(metricImport, 404)).isFalse();
        assertThat(FailureDescriptions.refusesCredential(metricImport, 400)).isFalse();
        assertThat(FailureDescriptions.refusesCredential(destination, 404)).isTrue();
        assertThat(failures.describe(new IOException("api-0f2b8c4d-secret-1e7a rejected"), metricImport))
                .isEqualTo("IOException: …1e7a rejected");
    }
}
