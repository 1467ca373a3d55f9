package io.github.segmentld.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

/**
 * The routes that run periodically use Camel's scheduler component, whose executor waits on monotonic time, never the
 * timer component, whose java.util.Timer schedules by the wall clock: a clock stepped back by NTP would stall the
 * spool's roll, the retry queues, the housekeeping, the alerts and the S3 source's polls, and the watchdog would take
 * them for dead.
 */
class ScheduledRoutesTest {

    @Test
    void everyPeriodicRouteRunsOnTheSchedulerAtTheRateOfItsSetting() throws IOException {
        List<String> consumers = new ArrayList<>();
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        try (Stream<Path> routes = Files.list(Path.of("routes"))) {
            for (Path route : routes.sorted().toList()) {
                collect(yaml.readTree(route.toFile()), route.getFileName().toString(), consumers);
            }
        }

        assertThat(consumers).containsExactly(
                "alerts.yaml scheduler:alerts delay={{alerts.evaluation-interval-ms}} useFixedDelay=false",
                "housekeeping.yaml scheduler:housekeeping delay={{housekeeping.interval-ms}} useFixedDelay=false",
                "ingest-s3.yaml scheduler:ingest-s3 delay={{s3.poll-interval-ms}} synchronous=true",
                "mappings-reload.yaml scheduler:mappings-reload delay={{launchdarkly.mappings-reload-interval-ms}}"
                        + " initialDelay={{launchdarkly.mappings-reload-interval-ms}}",
                "retry-queue.yaml scheduler:retry-queue-{{destination}} delay={{retry-queue.poll-interval-ms}}"
                        + " useFixedDelay=false",
                "spool.yaml scheduler:spool-roll delay={{spool.max-segment-age-ms}} useFixedDelay=false");
    }

    /** Each route consumer of the timer or scheduler component, with its parameters. */
    private static void collect(JsonNode node, String file, List<String> consumers) {
        if (node.isObject()) {
            JsonNode uri = node.path("uri");
            if (uri.isTextual() && (uri.asText().startsWith("timer:") || uri.asText().startsWith("scheduler:"))) {
                StringBuilder consumer = new StringBuilder(file).append(' ').append(uri.asText());
                for (Map.Entry<String, JsonNode> parameter : node.path("parameters").properties()) {
                    consumer.append(' ').append(parameter.getKey()).append('=').append(parameter.getValue().asText());
                }
                consumers.add(consumer.toString());
            }
            node.elements().forEachRemaining(child -> collect(child, file, consumers));
        } else if (node.isArray()) {
            node.elements().forEachRemaining(child -> collect(child, file, consumers));
        }
    }
}
