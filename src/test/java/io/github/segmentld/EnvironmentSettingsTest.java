package io.github.segmentld;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Which environment variable sets which key of the configuration files. */
class EnvironmentSettingsTest {

    @Test
    void aVariableIsNamedLikeItsKeyInUpperCaseWithUnderscores() {
        assertThat(EnvironmentSettings.variableName("camel.server.port")).isEqualTo("CAMEL_SERVER_PORT");
        assertThat(EnvironmentSettings.variableName("inbox.done-dir")).isEqualTo("INBOX_DONE_DIR");
        assertThat(EnvironmentSettings.variableName("camel.threadpool.config[pipelineWorkers].pool-size"))
                .isEqualTo("CAMEL_THREADPOOL_CONFIG_PIPELINEWORKERS__POOL_SIZE");
    }

    @Test
    void onlyTheKeysOfTheFilesAreTakenFromTheEnvironment() {
        Properties settings = EnvironmentSettings.from(Set.of("camel.server.port", "inbox.dir"),
                Map.of("CAMEL_SERVER_PORT", "9080", "PATH", "/usr/bin", "INBOX", "elsewhere"));

        assertThat(settings).containsExactly(Map.entry("camel.server.port", "9080"));
    }

    @Test
    void theKeysAreThoseOfApplicationProperties() {
        Properties settings = EnvironmentSettings.from(Map.of("CAMEL_MANAGEMENT_PORT", "9081",
                "HTTP_MAX_CONNECTIONS", "10", "NOT_A_KEY", "x"));

        assertThat(settings).containsOnly(Map.entry("camel.management.port", "9081"),
                Map.entry("http.max-connections", "10"));
    }
}
