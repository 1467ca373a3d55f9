package io.github.segmentld.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;

import io.github.segmentld.Application;
import io.github.segmentld.TestInbox;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;

/** The prod profile refuses an instance of type metric-import without an access token, as it refuses a missing ID. */
class MetricImportStartupTest {

    @Test
    void theProdProfileRefusesAnImportInstanceWithoutAToken() {
        TestInbox work = TestInbox.create("prod-import");
        Properties p = work.properties("");
        p.setProperty("launchdarkly.mappings-file", work.mappingsFile("""
                destinations:
                  - name: backfill
                    type: metric-import
                    project-key: shop
                    environment-key: production
                    access-token: "{{env:LD_IMPORT_TOKEN_NOT_SET:}}"
                """).toString());
        Main main = new Main(Application.class);
        main.setOverrideProperties(p);
        main.configure().setProfile("prod");
        Throwable failure = null;
        try {
            main.start();
        } catch (Exception e) {
            failure = e;
        } finally {
            main.stop();
        }

        assertThat(failure).isNotNull();
        Throwable cause = failure;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        assertThat(cause).hasMessage("Mappings file " + work.work().resolve("mappings.yaml") + ", destination"
                + " 'backfill': No LaunchDarkly access token for destination 'backfill': give one (access-token in the"
                + " mappings file, from the environment: \"{{env:LD_IMPORT_TOKEN}}\"). This profile does not fall back"
                + " to the embedded LaunchDarkly stand-in.");
    }
}
