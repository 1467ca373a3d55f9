package io.github.segmentld.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import io.github.segmentld.ChildApplication;
import io.github.segmentld.Loopback;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A port another program holds stops the start, with one line that names the port and the key to change, and an exit
 * status a supervisor can tell from a crash; the application does not run on without its server.
 */
class BusyPortTest {

    private final TestInbox inbox = TestInbox.create("busy-port");
    private Process application;

    @AfterEach
    void stop() throws InterruptedException {
        if (application != null) {
            ChildApplication.kill(application);
        }
    }

    private Properties settings(int serverPort, int managementPort) {
        Properties settings = inbox.properties("http://127.0.0.1:1", serverPort, "test-write-key");
        settings.setProperty("camel.management.enabled", "true");
        settings.setProperty("camel.management.port", Integer.toString(managementPort));
        return settings;
    }

    /** The lines of the child's log, once it has ended by itself. */
    private List<String> logOfAStartThatEnds(Properties settings) throws Exception {
        application = ChildApplication.start(inbox, settings, "application.log");
        assertThat(application.waitFor(60, TimeUnit.SECONDS)).as("the process ended by itself").isTrue();
        assertThat(application.exitValue()).isEqualTo(78);
        return Files.readAllLines(inbox.work().resolve("application.log"));
    }

    @Test
    void aTakenHttpPortStopsTheStartWithOneLineNamingTheKey() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<String> log = logOfAStartThatEnds(settings(taken.getLocalPort(), Loopback.freePort()));

            assertThat(log).filteredOn(line -> line.contains(" ERROR ")).singleElement().asString()
                    .endsWith(" - Port " + taken.getLocalPort() + " is in use: set camel.server.port (CAMEL_SERVER_PORT)"
                            + " to a free port");
            assertNoStackTrace(log);
        }
    }

    @Test
    void aTakenManagementPortStopsTheStartWithOneLineNamingTheKey() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<String> log = logOfAStartThatEnds(settings(Loopback.freePort(), taken.getLocalPort()));

            assertThat(log).filteredOn(line -> line.contains(" ERROR ")).singleElement().asString()
                    .endsWith(" - Port " + taken.getLocalPort() + " is in use: set camel.management.port"
                            + " (CAMEL_MANAGEMENT_PORT) to a free port");
            assertNoStackTrace(log);
        }
    }

    private static void assertNoStackTrace(List<String> log) {
        assertThat(log).noneMatch(line -> line.startsWith("\tat ") || line.startsWith("Caused by")
                || line.contains("Exception"));
    }
}
