package io.github.segmentld.contract;

import static io.github.segmentld.Json.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.Json;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.Test;

/**
 * The embedded stand-in's metric import path: an instance of type metric-import without an access token posts to it
 * (gzipped, with the stand-in's own token), and one that posts there with another token is answered 401, as
 * LaunchDarkly answers a wrong token.
 */
class MetricImportStandInTest extends ContractTestSupport {

    @Override
    protected void adjust(Properties properties) {
        int port = serveHttp(properties);
        properties.setProperty("launchdarkly.mappings-file", inbox.mappingsFile("""
                destinations:
                  - name: trial
                    type: metric-import
                    project-key: shop
                    environment-key: trial
                  - name: mistyped
                    type: metric-import
                    project-key: shop
                    environment-key: mistyped
                    access-token: not-the-stand-in-token
                    events-base-url: http://127.0.0.1:%d
                """.formatted(port)).toString());
    }

    @Test
    void theStandInTakesTheBatchWithItsTokenAndRefusesAnother() throws IOException {
        inbox.drop("order.ndjson", """
                {"type":"track","userId":"user-1","event":"Order Completed","properties":{"revenue":9.5},"timestamp":"2022-03-30T17:24:58Z"}
                """);
        inbox.awaitDone("order.ndjson");

        List<String> record = TestInbox.lines(inbox.work().resolve("stand-in/received.ndjson"));
        assertThat(record).singleElement().satisfies(line -> {
            JsonNode batch = Json.MAPPER.readTree(line);
            assertThat(batch.path("projectKey").asText()).isEqualTo("shop");
            assertThat(batch.path("environmentKey").asText()).isEqualTo("trial");
            assertThat(batch.path("events")).isEqualTo(parse("""
                    [{'kind':'custom','key':'Order Completed','contextKeys':{'user':'user-1'},'metricValue':9.5,
                      'data':{'revenue':9.5},'creationDate':1648661098000}]"""));
        });
        List<Path> deadLetters = TestInbox.list(inbox.deadLetters());
        assertThat(deadLetters).hasSize(1);
        JsonNode deadLetter = Json.MAPPER.readTree(deadLetters.get(0).toFile()).path("deadLetter");
        assertThat(deadLetter.path("destination").asText()).isEqualTo("mistyped");
        assertThat(deadLetter.path("status").asInt()).isEqualTo(401);
        assertThat(deadLetter.path("responseBody").asText()).isEqualTo("{\"code\":\"unauthorized\",\"message\":\"the access"
                + " token is not valid, or lacks the importEventData action\"}");
    }
}
