package io.github.segmentld.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import io.github.segmentld.ChildApplication;
import io.github.segmentld.TestInbox;
import io.github.segmentld.observe.Watchdog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * After an OutOfMemoryError, going on would risk answering requests it can no longer honour: the process stops
 * accepting and exits, with a code its supervisor sees, to be restarted with everything acknowledged on disk.
 */
class FatalErrorExitTest {

    private final TestInbox inbox = TestInbox.create("fatal-error");
    private Process application;

    @AfterEach
    void stop() throws InterruptedException {
        ChildApplication.kill(application);
    }

    @Test
    void anOutOfMemoryErrorEndsTheProcessWithItsExitCode() throws Exception {
        Properties settings = inbox.properties("http://127.0.0.1:1");
        settings.setProperty("camel.main.routes-include-pattern",
                "classpath:routes/*.yaml,classpath:test-routes/out-of-memory.yaml");
        application = ChildApplication.start(inbox, settings, "application.log");

        assertThat(application.waitFor(60, TimeUnit.SECONDS)).as("the process ended by itself").isTrue();
        assertThat(application.exitValue()).isEqualTo(Watchdog.EXIT_CODE);
        assertThat(Files.readString(inbox.work().resolve("application.log")))
                .contains("FATAL: java.lang.OutOfMemoryError: simulated");
    }
}
