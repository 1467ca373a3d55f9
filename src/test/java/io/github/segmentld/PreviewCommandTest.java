package io.github.segmentld;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** {@code --preview event.json}, with the configuration the application would start with. */
class PreviewCommandTest {

    private final TestInbox work = TestInbox.create("preview-command");
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Properties overrides, String... arguments) {
        return PreviewCommand.run(List.of(arguments), overrides, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private Path file(String name, String content) throws IOException {
        return Files.writeString(work.work().resolve(name), content);
    }

    @Test
    void printsTheLaunchDarklyEventsOfEachInstanceOfTheMappingsFile() throws IOException {
        Path event = file("event.json", """
                {"type":"track","userId":"u1","event":"Order Completed","properties":{"total":"12.5"},"timestamp":1648661098000}""");
        Properties overrides = new Properties();
        overrides.setProperty("launchdarkly.mappings-file", file("mappings.yaml", """
                destinations:
                  - name: production
                    client-side-id: prod-id
                  - name: experiments
                    presets: false
                    mappings:
                      - name: Order total
                        trigger: event = "Order Completed"
                        action: Track Event
                        fields: {metric_value: {"@path": "$.properties.total"}, event_name: order-total}
                """).toString());

        assertThat(run(overrides, event.toString())).isZero();

        JsonNode report = Json.MAPPER.readTree(out.toByteArray());
        assertThat(report.at("/destinations/0/url").textValue()).isEqualTo("https://events.launchdarkly.com/events/bulk/…d");
        assertThat(report.at("/destinations/0/events")).isEqualTo(Json.parse(
                "[{'kind':'custom','key':'Order Completed','contextKeys':{'user':'u1'},'data':{'total':'12.5'},'creationDate':1648661098000}]"));
        assertThat(report.at("/destinations/1/events")).isEqualTo(Json.parse(
                "[{'kind':'custom','key':'order-total','contextKeys':{'user':'u1'},'metricValue':12.5,'data':{'total':'12.5'},'creationDate':1648661098000}]"));
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void anExpressionInsertFunctionRunsAndARouteOneIsReportedAsNotRun() throws IOException {
        Path event = file("event.json", "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Signed Up\"}");
        Properties overrides = new Properties();
        overrides.setProperty("launchdarkly.mappings-file", file("mappings.yaml", """
                destinations:
                  - name: production
                    client-side-id: prod-id
                    insert-function:
                      groovy: "body.event = body.event.toLowerCase(); body"
                  - name: staging
                    client-side-id: staging-id
                    insert-function:
                      direct: enrich-plan
                """).toString());

        assertThat(run(overrides, event.toString())).isZero();

        JsonNode report = Json.MAPPER.readTree(out.toByteArray());
        assertThat(report.at("/destinations/0/insertFunction/outcome").textValue()).isEqualTo("changed");
        assertThat(report.at("/destinations/0/events/0/key").textValue()).isEqualTo("signed up");
        assertThat(report.at("/destinations/1/insertFunction")).isEqualTo(Json.parse("{'function':'direct:enrich-plan',"
                + "'outcome':'not run','reason':'its route is not loaded here: POST the event to /preview of the"
                + " running application'}"));
        assertThat(report.at("/destinations/1/events/0/key").textValue()).isEqualTo("Signed Up");
    }

    @Test
    void anInstanceWithoutClientSideIdShowsTheStandInsUrlOnTheServersPort() throws IOException {
        Path event = file("event.json", "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Signed Up\"}");
        Properties overrides = new Properties();
        overrides.setProperty("launchdarkly.client-side-id", "");
        overrides.setProperty("camel.server.port", "9123");

        assertThat(run(overrides, event.toString())).isZero();

        assertThat(Json.MAPPER.readTree(out.toByteArray()).at("/destinations/0/url").textValue())
                .isEqualTo("http://127.0.0.1:9123/events/bulk/stand-in-default");
    }

    @Test
    void aMistakeInTheConfigurationOrTheEventIsReportedWithStatusOne() throws IOException {
        Path event = file("event.json", "{\"type\":\"track\"}");
        Properties badMappings = new Properties();
        badMappings.setProperty("launchdarkly.mappings-file", file("mappings.yaml",
                "destinations:\n  - name: p\n    mappings:\n      - {name: M, trigger: 'type =', action: Track Event}\n").toString());

        assertThat(run(badMappings, event.toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("destination 'p', mapping 'M': trigger: expected a value");

        err.reset();
        assertThat(run(new Properties(), file("broken.json", "{\"type\":").toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("The body is not JSON:");
        assertThat(out.size()).isZero();
    }

    @Test
    void withoutAFileItSaysHowToUseIt() {
        assertThat(run(new Properties())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("Usage: --preview <file");
    }
}
