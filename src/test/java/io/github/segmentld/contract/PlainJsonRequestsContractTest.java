package io.github.segmentld.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.Test;

/** With {@code launchdarkly.delivery.gzip=false}, batches are posted as plain JSON, as before requests were gzipped. */
class PlainJsonRequestsContractTest extends ContractTestSupport {

    @Override
    protected void adjust(Properties properties) {
        properties.setProperty("launchdarkly.delivery.gzip", "false");
    }

    @Test
    void aBatchIsPostedAsPlainJsonWithoutContentEncoding() {
        inbox.drop("one.ndjson", """
                {"type":"track","userId":"user1234","event":"Test Event","properties":{"value":7},\
                "timestamp":"2022-03-30T17:24:58Z"}
                """);
        inbox.awaitDone("one.ndjson");

        List<LoggedRequest> requests = LAUNCHDARKLY.requests();
        assertThat(requests).hasSize(1);
        LoggedRequest request = requests.get(0);
        assertThat(request.containsHeader("Content-Encoding")).isFalse();
        assertThat(request.getHeader("Content-Type")).startsWith("application/json");
        assertThat(Integer.parseInt(request.getHeader("Content-Length"))).isEqualTo(request.getBody().length);
        assertThat(new String(request.getBody(), StandardCharsets.UTF_8)).isEqualTo("""
                [{"kind":"custom","key":"Test Event","contextKeys":{"user":"user1234"},"metricValue":7,\
                "data":{"value":7},"creationDate":1648661098000}]""");
    }
}
