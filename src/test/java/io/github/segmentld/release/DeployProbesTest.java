package io.github.segmentld.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.Application;
import io.github.segmentld.Json;
import io.github.segmentld.Loopback;
import io.github.segmentld.TestInbox;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.Test;

/**
 * The probes of the Kubernetes manifests are answered by the running application: every path they name, on the
 * management port, answers 200 with an UP status, as Kubernetes needs to start, keep and route to the pod. The health
 * path is the application's (nothing here sets it): a path moved in its configuration fails this test.
 */
class DeployProbesTest extends CamelMainTestSupport {

    private int managementPort;

    @Override
    protected Class<?> getMainClass() {
        return Application.class;
    }

    @Override
    public void configureContext(CamelContextConfiguration context) {
        super.configureContext(context);
        Properties properties = TestInbox.create(getClass().getSimpleName()).properties("http://127.0.0.1:1");
        managementPort = Loopback.freePort();
        properties.setProperty("camel.management.enabled", "true");
        properties.setProperty("camel.management.port", Integer.toString(managementPort));
        context.withUseOverridePropertiesWithPropertiesComponent(properties);
    }

    /** Every probe path of the workloads, each with the port name it is asked on. */
    private static Set<String> probes() {
        Set<String> probes = new TreeSet<>();
        List<JsonNode> workloads = new ArrayList<>(DeployManifests.ofKind("StatefulSet"));
        workloads.addAll(DeployManifests.ofKind("Deployment"));
        for (JsonNode workload : workloads) {
            for (JsonNode container : workload.path("spec").path("template").path("spec").path("containers")) {
                for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                    JsonNode get = container.path(probe).path("httpGet");
                    probes.add(get.path("port").asText() + " " + get.path("path").asText());
                }
            }
        }
        return probes;
    }

    @Test
    void everyProbePathAnswersUpOnTheManagementPort() {
        assertThat(probes()).containsExactly("management /observe/health/live", "management /observe/health/ready");
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (String probe : probes()) {
            URI uri = URI.create("http://127.0.0.1:" + managementPort + probe.substring(probe.indexOf(' ') + 1));
            // the checks settle a moment after the start
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
                HttpResponse<String> answer = client.send(HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).as("%s: %s", uri, answer.body()).isEqualTo(200);
                assertThat(Json.MAPPER.readTree(answer.body()).path("status").asText()).isEqualTo("UP");
            });
        }
    }
}
