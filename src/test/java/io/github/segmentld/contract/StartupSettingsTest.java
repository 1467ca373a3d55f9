package io.github.segmentld.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Properties;

import io.github.segmentld.Application;
import io.github.segmentld.TestInbox;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;

/** What the application refuses at start-up. */
class StartupSettingsTest {

    private static Throwable startupFailure(Properties overrides, String profile) {
        Main main = new Main(Application.class);
        main.setOverrideProperties(overrides);
        main.configure().setProfile(profile);
        try {
            main.start();
            return null;
        } catch (Exception e) {
            return e;
        } finally {
            main.stop();
        }
    }

    private static Throwable rootCause(Throwable t) {
        Throwable cause = t;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    @Test
    void theProdProfileRefusesToStartWithoutAClientSideId() {
        Properties p = TestInbox.create("prod-profile").properties("");
        p.setProperty("launchdarkly.client-side-id", "");

        Throwable failure = startupFailure(p, "prod");

        assertThat(failure).isNotNull();
        assertThat(rootCause(failure)).hasMessageContaining("No LaunchDarkly client-side ID")
                .hasMessageContaining("LD_CLIENT_SIDE_ID");
    }

    @Test
    void anEventsHostWithASchemeIsRefused() {
        Properties p = TestInbox.create("bad-host").properties("");
        p.setProperty("launchdarkly.events-host", "https://events.launchdarkly.com");

        assertThatThrownBy(() -> {
            Throwable failure = startupFailure(p, null);
            if (failure != null) {
                throw failure;
            }
        }).satisfies(t -> assertThat(rootCause(t)).hasMessageContaining("launchdarkly.events-host must be a bare host name"));
    }
}
