package io.github.segmentld.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/**
 * The shipped Prometheus rules (observe/prometheus-rules.yaml): valid for promtool, right on their unit-test series
 * (promtool from Debian's prometheus package, installed by scripts/install-test-tools.sh; skipped with a message
 * without it), and written over metrics the application exports under those very names.
 */
class PrometheusRulesTest {

    private static final Path RULES = Path.of("observe/prometheus-rules.yaml");
    /** A metric name, not a recording rule of the file (level:metric:operations). */
    private static final Pattern METRIC = Pattern.compile("(?<![:\\w])(launchdarkly|mapping|segment)_[a-z_]+(?![:\\w])");

    private static String promtool() {
        return Stream.of(System.getenv("PATH").split(":")).map(dir -> Path.of(dir, "promtool"))
                .filter(Files::isExecutable).map(Path::toString).findFirst().orElse(null);
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(Path.of("observe").toFile()).redirectErrorStream(true)
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void promtoolChecksTheRulesAndTheirTests() throws Exception {
        String promtool = promtool();
        assumeTrue(promtool != null, "promtool is not installed (scripts/install-test-tools.sh installs Debian's"
                + " prometheus package): the Prometheus rules test is skipped");
        assertThat(run(promtool, "check", "rules", "prometheus-rules.yaml")).contains("SUCCESS: 6 rules found");
        assertThat(run(promtool, "test", "rules", "prometheus-rules.test.yaml")).contains("SUCCESS");
    }

    @Test
    void theRulesReadMetricsTheApplicationExports() throws IOException {
        Set<String> used = new TreeSet<>();
        Matcher metric = METRIC.matcher(Files.readString(RULES));
        while (metric.find()) {
            used.add(metric.group());
        }
        assertThat(used).contains("launchdarkly_events_delivered_total", "launchdarkly_events_failed_total",
                "launchdarkly_retry_queue_oldest_age_seconds", "mapping_events_matched_total");

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PipelineMetrics metrics = new PipelineMetrics(registry);
        metrics.delivered("staging", Map.of("Track Event", 1));
        metrics.failed("staging", Map.of("Track Event", 1), "LaunchDarkly answered 503");
        metrics.matched("staging", "Track Event", 1);
        // the retry queues register these two
        metrics.gauge("launchdarkly.retry.queue.oldest.age.seconds", "staging", () -> 1);
        metrics.gauge("launchdarkly.circuit.state", "staging", () -> 0);
        String scraped = registry.scrape();
        for (String name : used) {
            assertThat(scraped).as(name).containsPattern("(?m)^" + name + "\\{");
        }
    }
}
