package io.github.segmentld.release;

import static io.github.segmentld.release.DeployManifests.artifactId;
import static io.github.segmentld.release.DeployManifests.installedJar;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.EnvironmentSettings;
import io.github.segmentld.WorkFolderVersion;
import io.github.segmentld.server.ServerPorts;
import org.junit.jupiter.api.Test;

/**
 * The systemd unit and the Kubernetes manifests of deploy/ use the application's own names and numbers: the jar the
 * pom builds, the ports and the shutdown timeout of application.properties, environment variables the application
 * reads, keys it defines, the work folder its paths lie in. A key renamed in application.properties, a port or a
 * timeout changed there, fails here until deploy/ follows. (That the probe paths answer is DeployProbesTest's.)
 */
class DeployManifestsTest {

    private static final List<String> WORKLOADS = List.of("StatefulSet", "Deployment");
    /** The settings whose relative paths make up the work folder. */
    private static final List<String> WORK_PATHS = List.of("inbox.dir", "spool.dir", "store.dead-letter-dir",
            "store.rejected-dir", "store.ledger-file", "delivery-log.file", "launchdarkly.stand-in.record-file");

    private static List<JsonNode> workloads() {
        List<JsonNode> workloads = new ArrayList<>();
        WORKLOADS.forEach(kind -> workloads.addAll(DeployManifests.ofKind(kind)));
        return workloads;
    }

    private static JsonNode container(JsonNode workload) {
        JsonNode containers = workload.path("spec").path("template").path("spec").path("containers");
        assertThat(containers.size()).as("containers of %s", name(workload)).isEqualTo(1);
        return containers.get(0);
    }

    private static String name(JsonNode document) {
        return document.path("kind").asText() + " " + document.path("metadata").path("name").asText();
    }

    /** The plain values of the container's environment; those from a Secret stand as non-empty placeholders. */
    private static Map<String, String> environment(JsonNode container) {
        Map<String, String> environment = new HashMap<>();
        container.path("env").forEach(variable -> environment.put(variable.path("name").asText(),
                variable.has("value") ? variable.path("value").asText() : "from-secret"));
        return environment;
    }

    /** The application.properties the workload mounts beside the jar, from its ConfigMap. */
    private static Properties besideTheJar(JsonNode workload) {
        JsonNode container = container(workload);
        String file = container.path("workingDir").asText() + "/application.properties";
        JsonNode mount = find(container.path("volumeMounts"), "mountPath", file);
        assertThat(mount.path("subPath").asText()).as("the file mounted as %s in %s", file, name(workload))
                .isEqualTo("application.properties");
        JsonNode volume = find(workload.path("spec").path("template").path("spec").path("volumes"), "name",
                mount.path("name").asText());
        JsonNode configMap = DeployManifests.named("ConfigMap", volume.path("configMap").path("name").asText());
        return DeployManifests.properties(configMap.path("data").path("application.properties").asText());
    }

    private static Properties effective(JsonNode workload) {
        return DeployManifests.effective(besideTheJar(workload), environment(container(workload)));
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode item : array) {
            if (item.path(field).asText().equals(value)) {
                return item;
            }
        }
        throw new AssertionError("no item with " + field + " = " + value + " in " + array);
    }

    @Test
    void everyWorkloadRunsThePomsJarFromAWorkingDirectoryHoldingTheWorkFolderOnItsVolume() {
        assertThat(workloads()).extracting(DeployManifestsTest::name).containsExactlyInAnyOrder(
                "StatefulSet segment-launchdarkly-camel", "Deployment segment-launchdarkly-camel-kafka");
        for (JsonNode workload : workloads()) {
            JsonNode container = container(workload);
            List<String> command = new ArrayList<>();
            container.path("command").forEach(word -> command.add(word.asText()));
            assertThat(command).as("command of %s", name(workload)).startsWith("java").endsWith("-jar", installedJar());

            Properties effective = effective(workload);
            String workingDir = container.path("workingDir").asText();
            for (String key : WORK_PATHS) {
                assertThat(effective.getProperty(key)).as(key).startsWith("work/");
            }
            JsonNode work = find(container.path("volumeMounts"), "mountPath", workingDir + "/work");
            assertThat(work.path("readOnly").asBoolean()).isFalse();
            if (workload.path("kind").asText().equals("StatefulSet")) {
                assertThat(workload.path("spec").path("volumeClaimTemplates")).as("the work folder's claim")
                        .anySatisfy(claim -> assertThat(claim.path("metadata").path("name").asText())
                                .isEqualTo(work.path("name").asText()));
                assertThat(workload.path("spec").path("replicas").asInt()).isEqualTo(1);
                String governing = workload.path("spec").path("serviceName").asText();
                assertThat(DeployManifests.named("Service", governing).path("spec").path("clusterIP").asText())
                        .isEqualTo("None");
            }
        }
    }

    @Test
    void theContainerPortsAreTheApplicationsPortsAndItsServerListensBeyondTheLoopback() {
        for (JsonNode workload : workloads()) {
            JsonNode container = container(workload);
            Properties effective = effective(workload);
            assertThat(find(container.path("ports"), "name", "http").path("containerPort").asText())
                    .as("http port of %s", name(workload)).isEqualTo(effective.getProperty("camel.server.port"));
            assertThat(find(container.path("ports"), "name", "management").path("containerPort").asText())
                    .isEqualTo(effective.getProperty("camel.management.port"));
            assertThat(effective.getProperty("camel.server.host")).isEqualTo("0.0.0.0");
            assertThat(effective.getProperty("camel.management.host")).isEqualTo("0.0.0.0");
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                assertThat(container.path(probe).path("httpGet").path("port").asText()).as(probe)
                        .isEqualTo("management");
            }
            // a service of the namespace named camel-server would otherwise set CAMEL_SERVER_PORT to tcp://...
            assertThat(workload.path("spec").path("template").path("spec").path("enableServiceLinks").isBoolean())
                    .isTrue();
            assertThat(workload.path("spec").path("template").path("spec").path("enableServiceLinks").asBoolean())
                    .isFalse();
        }
        for (JsonNode service : DeployManifests.ofKind("Service")) {
            JsonNode pods = workloads().stream().filter(w -> w.path("spec").path("selector").path("matchLabels")
                    .equals(service.path("spec").path("selector"))).findFirst()
                    .orElseThrow(() -> new AssertionError(name(service) + " selects no workload"));
            service.path("spec").path("ports").forEach(port -> assertThat(container(pods).path("ports"))
                    .anySatisfy(p -> assertThat(p.path("name").asText()).isEqualTo(port.path("targetPort").asText())));
        }
    }

    @Test
    void theGracePeriodOutlastsTheShutdownTimeout() {
        for (JsonNode workload : workloads()) {
            int shutdownTimeout = Integer.parseInt(effective(workload).getProperty("camel.main.shutdown-timeout"));
            assertThat(workload.path("spec").path("template").path("spec").path("terminationGracePeriodSeconds")
                    .asInt()).as("grace period of %s", name(workload)).isGreaterThanOrEqualTo(shutdownTimeout + 10);
        }
    }

    @Test
    void everySettingIsOneTheApplicationReadsAndEverySecretComesFromTheSecret() {
        Set<String> keys = DeployManifests.bundled(true).stringPropertyNames();
        Set<String> variables = DeployManifests.environmentVariablesRead();
        JsonNode secret = DeployManifests.named("Secret", "segment-launchdarkly-camel");
        for (JsonNode configMap : DeployManifests.ofKind("ConfigMap")) {
            Properties properties = DeployManifests.properties(
                    configMap.path("data").path("application.properties").asText());
            assertThat(properties.stringPropertyNames()).as("keys of %s", name(configMap)).isNotEmpty()
                    .isSubsetOf(keys);
        }
        secret.path("stringData").fieldNames().forEachRemaining(
                variable -> assertThat(variables).as("variables the application reads").contains(variable));
        for (JsonNode workload : workloads()) {
            for (JsonNode variable : container(workload).path("env")) {
                String name = variable.path("name").asText();
                assertThat(variables).as("variables the application reads").contains(name);
                JsonNode reference = variable.path("valueFrom").path("secretKeyRef");
                if (!reference.isMissingNode()) {
                    assertThat(reference.path("name").asText()).isEqualTo("segment-launchdarkly-camel");
                    assertThat(reference.path("key").asText()).isEqualTo(name);
                    assertThat(secret.path("stringData").has(name)).as("%s in the Secret", name).isTrue();
                }
            }
            assertThat(environment(container(workload))).containsEntry(
                    EnvironmentSettings.variableName(DeployManifests.PROFILE_KEY), "prod");
        }
    }

    @Test
    void theKafkaDeploymentKeepsNothingOnItsDiskThatAnEventNeeds() {
        Properties effective = effective(DeployManifests.named("Deployment", "segment-launchdarkly-camel-kafka"));
        assertThat(effective.getProperty("kafka.enabled")).isEqualTo("true");
        // accepted HTTP events go to the broker, not to a spool on the pod's emptyDir
        assertThat(List.of(effective.getProperty("kafka.topics").split("\\s*,\\s*")))
                .contains(effective.getProperty("kafka.http-topic"));
        assertThat(effective.getProperty("kafka.retry-queue-topic")).isNotBlank();
        assertThat(effective.getProperty("kafka.dead-letter-topic")).isNotBlank();
        assertThat(effective.getProperty("kafka.group-id")).isNotBlank();
    }

    @Test
    void theSystemdUnitRunsThePomsJarWithTheApplicationsNamesAndTimes() throws IOException {
        Map<String, List<String>> unit = DeployManifests.keyValueLines(DeployManifests.SYSTEMD_UNIT);
        assertThat(DeployManifests.SYSTEMD_UNIT.getFileName().toString()).isEqualTo(artifactId() + ".service");
        assertThat(unit.get("ExecStart")).singleElement().asString().endsWith(" -jar " + installedJar());
        String workingDirectory = unit.get("WorkingDirectory").get(0);
        assertThat(unit.get("ReadWritePaths")).containsExactly(workingDirectory);
        assertThat(workingDirectory).isEqualTo("/var/lib/" + unit.get("StateDirectory").get(0));
        assertThat(unit.get("ProtectSystem")).containsExactly("strict");
        assertThat(unit.get("NoNewPrivileges")).containsExactly("true");
        assertThat(unit.get("Restart")).containsExactly("on-failure");
        // a setting to change, or a work folder of a newer release, is not fixed by starting again
        assertThat(unit.get("RestartPreventExitStatus")).containsExactlyInAnyOrder(
                Integer.toString(ServerPorts.EXIT_CODE), Integer.toString(WorkFolderVersion.EXIT_CODE));

        Map<String, String> environment = new HashMap<>();
        for (String assignment : unit.get("Environment")) {
            environment.put(assignment.substring(0, assignment.indexOf('=')),
                    assignment.substring(assignment.indexOf('=') + 1));
        }
        assertThat(environment).containsEntry(EnvironmentSettings.variableName(DeployManifests.PROFILE_KEY), "prod");
        Map<String, List<String>> secrets = DeployManifests.keyValueLines(DeployManifests.SYSTEMD_ENVIRONMENT);
        assertThat(unit.get("EnvironmentFile")).hasSize(1);
        assertThat(DeployManifests.environmentVariablesRead()).containsAll(environment.keySet())
                .containsAll(secrets.keySet());
        assertThat(secrets.keySet()).isEqualTo(DeployManifests.named("Secret", "segment-launchdarkly-camel")
                .path("stringData").properties().stream().map(Map.Entry::getKey).collect(
                        java.util.stream.Collectors.toSet()));

        Properties effective = DeployManifests.effective(new Properties(), environment);
        int shutdownTimeout = Integer.parseInt(effective.getProperty("camel.main.shutdown-timeout"));
        assertThat(Integer.parseInt(unit.get("TimeoutStopSec").get(0))).isGreaterThanOrEqualTo(shutdownTimeout + 10);
        for (String key : WORK_PATHS) {
            assertThat(effective.getProperty(key)).as(key).startsWith("work/");
        }

        String containerFile = Files.readString(DeployManifests.CONTAINER_FILE);
        assertThat(containerFile).contains("COPY target/" + artifactId() + "-*.jar " + installedJar(),
                "\"-jar\", \"" + installedJar() + "\"", "WORKDIR " + workingDirectory);
        for (JsonNode workload : workloads()) {
            assertThat(container(workload).path("workingDir").asText()).isEqualTo(workingDirectory);
        }
    }
}
