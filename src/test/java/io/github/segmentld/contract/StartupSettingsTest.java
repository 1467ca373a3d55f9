package io.github.segmentld.contract;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.headRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Properties;

import com.github.tomakehurst.wiremock.WireMockServer;

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

    /** Why the application does not start with the mappings file (the root cause). */
    private static Throwable startupFailure(Path mappingsFile) {
        Properties p = new TestInbox(mappingsFile.getParent()).properties("http://127.0.0.1:1");
        p.setProperty("launchdarkly.mappings-file", mappingsFile.toString());
        return rootCause(startupFailure(p, null));
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

    @Test
    void aJmsProtocolThatIsNeitherArtemisNorAmqpIsRefused() {
        Properties p = TestInbox.create("bad-jms-protocol").properties("http://127.0.0.1:1");
        p.setProperty("launchdarkly.settings-check.enabled", "false");
        p.setProperty("jms.enabled", "true");
        p.setProperty("jms.protocol", "openwire");

        Throwable failure = startupFailure(p, null);

        assertThat(failure).isNotNull();
        assertThat(rootCause(failure)).hasMessage("jms.protocol is 'openwire': it must be artemis (Artemis' Core"
                + " protocol, tcp://host:61616) or amqp (AMQP 1.0, amqp://host:5672)");
    }

    @Test
    void aClientSideIdLaunchDarklyDoesNotKnowStopsTheStartUnlessTheCheckIsOff() {
        WireMockServer clientSdk = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        clientSdk.start();
        try {
            clientSdk.stubFor(head(urlEqualTo("/sdk/goals/unknown-id")).willReturn(aResponse().withStatus(404)));
            clientSdk.stubFor(head(urlEqualTo("/sdk/goals/known-id")).willReturn(aResponse().withStatus(200)));
            Properties p = TestInbox.create("settings-check").properties("");
            p.setProperty("launchdarkly.settings-check.url", "http://127.0.0.1:" + clientSdk.port() + "/sdk/goals/");
            p.setProperty("launchdarkly.client-side-id", "unknown-id");

            assertThat(rootCause(startupFailure(p, null))).hasMessage("Destination 'default': LaunchDarkly does not"
                    + " know the client-side ID …id (HEAD http://127.0.0.1:" + clientSdk.port() + "/sdk/goals/…id"
                    + " answered 404): copy it again from LaunchDarkly's Account settings > Projects, for the right"
                    + " environment. To start without this check (offline), set launchdarkly.settings-check.enabled=false.");

            p.setProperty("launchdarkly.settings-check.enabled", "false");
            assertThat(startupFailure(p, null)).isNull();

            p.setProperty("launchdarkly.settings-check.enabled", "true");
            p.setProperty("launchdarkly.client-side-id", "known-id");
            assertThat(startupFailure(p, null)).isNull();
            assertThat(clientSdk.findAll(headRequestedFor(urlEqualTo("/sdk/goals/known-id")))).hasSize(1);
        } finally {
            clientSdk.stop();
        }
    }

    /** The check goes through Camel's http component, so that the proxy (and TLS, timeouts) given to it apply. */
    @Test
    void theCheckGoesThroughTheProxyOfTheHttpComponent() {
        WireMockServer proxy = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        proxy.start();
        try {
            proxy.stubFor(head(urlEqualTo("/sdk/goals/unknown-id")).willReturn(aResponse().withStatus(404)));
            proxy.stubFor(head(urlEqualTo("/sdk/goals/known-id")).willReturn(aResponse().withStatus(200)));
            Properties p = TestInbox.create("settings-check-proxy").properties("");
            // A host no resolver knows: only the proxy can answer for it.
            p.setProperty("launchdarkly.settings-check.url", "http://clientsdk.launchdarkly.invalid/sdk/goals/");
            p.setProperty("camel.component.http.proxy-host", "127.0.0.1");
            p.setProperty("camel.component.http.proxy-port", Integer.toString(proxy.port()));
            p.setProperty("launchdarkly.client-side-id", "unknown-id");

            assertThat(rootCause(startupFailure(p, null))).hasMessageStartingWith("Destination 'default': LaunchDarkly"
                    + " does not know the client-side ID …id (HEAD http://clientsdk.launchdarkly.invalid/sdk/goals/…id"
                    + " answered 404)");

            p.setProperty("launchdarkly.client-side-id", "known-id");
            assertThat(startupFailure(p, null)).isNull();
            assertThat(proxy.findAll(headRequestedFor(urlEqualTo("/sdk/goals/known-id"))
                    .withHeader("Host", equalTo("clientsdk.launchdarkly.invalid")))).hasSize(1);
        } finally {
            proxy.stop();
        }
    }

    @Test
    void aMistakeInTheS3SourceSettingsStopsTheStartWithTheSettingNamed() {
        Properties p = TestInbox.create("s3-settings").properties("");
        p.setProperty("s3.enabled", "true");
        // a region given: without one, the AWS SDK would look for it on the EC2 metadata service
        p.setProperty("s3.region", "eu-west-1");
        assertThat(rootCause(startupFailure(p, null))).hasMessageStartingWith("s3.bucket must name the bucket");

        p.setProperty("s3.bucket", "segment-exports");
        p.setProperty("s3.after-read", "archive");
        assertThat(rootCause(startupFailure(p, null)))
                .hasMessage("s3.after-read must be move, tag or delete, was 'archive'");

        p.setProperty("s3.after-read", "tag");
        p.setProperty("s3.endpoint", "http://127.0.0.1:1");
        p.setProperty("s3.access-key", "AKIAEXAMPLE");
        assertThat(rootCause(startupFailure(p, null))).hasMessageStartingWith("s3.access-key and s3.secret-key go"
                + " together");
    }

    @Test
    void aMistakeInTheMappingsFileStopsTheStartWithItsPlace() {
        Path file = TestInbox.create("bad-mappings").mappingsFile("""
                destinations:
                  - name: production
                    client-side-id: id
                    mappings:
                      - name: Revenue
                        trigger: type = "track"
                        action: Track Event
                        fields: {metric_value: {"@path": "properties.total"}}
                """);

        assertThat(startupFailure(file)).hasMessage("Mappings file " + file + ", destination 'production',"
                + " mapping 'Revenue': field 'metric_value': a @path starts with $, was 'properties.total'");
    }

    @Test
    void consentCategoriesThatAreNotAListOfNamesStopTheStartNamingTheInstanceAndTheSetting() {
        Path file = TestInbox.create("bad-consent").mappingsFile("""
                destinations:
                  - name: production
                    client-side-id: id
                  - name: analytics
                    client-side-id: analytics-id
                    consent-categories: Analytics, Advertising
                """);

        assertThat(startupFailure(file)).hasMessage("Mappings file " + file + ", destination 'analytics':"
                + " consent-categories must be a list of consent category names, such as [Analytics], was"
                + " \"Analytics, Advertising\"");
    }

    @Test
    void anInsertFunctionWithoutItsRouteOrThatDoesNotCompileStopsTheStartNamingTheInstance() {
        TestInbox work = TestInbox.create("bad-insert-function");
        Properties p = work.properties("http://127.0.0.1:1");
        p.setProperty("launchdarkly.mappings-file", work.mappingsFile("""
                destinations:
                  - name: production
                    client-side-id: id
                    insert-function:
                      direct: enrich-plan
                """).toString());

        assertThat(rootCause(startupFailure(p, null))).hasMessage("Destination 'production': insert-function direct:"
                + " enrich-plan names no route: none reads from direct:enrich-plan. Put it in a YAML file of the"
                + " folder of routes.extra-dir (not set).");

        p.setProperty("routes.extra-dir", work.work().resolve("functions").toString());
        assertThat(rootCause(startupFailure(p, null))).hasMessageStartingWith("routes.extra-dir names no folder:"
                + " nothing at " + work.work().resolve("functions") + " is one");

        work.mappingsFile("""
                destinations:
                  - name: production
                    client-side-id: id
                    insert-function:
                      groovy: "body.("
                """);
        p.remove("routes.extra-dir");
        assertThat(rootCause(startupFailure(p, null)))
                .hasMessageStartingWith("Destination 'production': insert-function groovy does not compile: ");
    }
}
