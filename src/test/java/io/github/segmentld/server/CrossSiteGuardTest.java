package io.github.segmentld.server;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

class CrossSiteGuardTest {

    private static final String HOST = "127.0.0.1:8080";

    private static void check(String method, String... headers) {
        Map<String, String> values = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        values.put("Host", HOST);
        for (int i = 0; i < headers.length; i += 2) {
            values.put(headers[i], headers[i + 1]);
        }
        CrossSiteGuard.check(method, values::get);
    }

    private static void assertRefused(String message, String method, String... headers) {
        assertThatThrownBy(() -> check(method, headers)).as(method + " " + String.join(" ", headers))
                .isInstanceOf(CrossSiteGuard.Refused.class).hasMessage(message);
    }

    private static void assertAccepted(String method, String... headers) {
        assertThatCode(() -> check(method, headers)).as(method + " " + String.join(" ", headers))
                .doesNotThrowAnyException();
    }

    @Test
    void aPostAFormCanMakeIsRefused() {
        for (String contentType : new String[] {null, "application/x-www-form-urlencoded", "text/plain",
            "multipart/form-data; boundary=x", "application/jsonp", "text/plain; x=application/json"}) {
            String[] headers = contentType == null ? new String[0] : new String[] {"Content-Type", contentType};
            assertRefused(CrossSiteGuard.FORM_LIKE, "POST", headers);
        }
        assertRefused(CrossSiteGuard.FORM_LIKE, "POST", "X-Requested-By", " ");
        assertRefused(CrossSiteGuard.FORM_LIKE, "DELETE");
    }

    @Test
    void aPostWithJsonOrTheCustomHeaderIsAccepted() {
        assertAccepted("POST", "Content-Type", "application/json");
        assertAccepted("POST", "Content-Type", "Application/JSON; charset=utf-8");
        assertAccepted("POST", "X-Requested-By", "delivery-page");
        assertAccepted("POST", "X-Requested-By", "x", "Origin", "http://127.0.0.1:8080", "Sec-Fetch-Site", "same-origin",
                "Sec-Fetch-Mode", "cors", "Sec-Fetch-Dest", "empty");
        assertAccepted("GET");
        assertAccepted("HEAD", "Sec-Fetch-Site", "none");
    }

    @Test
    void aRequestFromAnotherSiteIsRefusedWhateverItCarries() {
        for (String site : new String[] {"cross-site", "same-site", "Cross-Site"}) {
            assertRefused(CrossSiteGuard.FROM_ANOTHER_SITE, "POST", "Content-Type", "application/json",
                    "Sec-Fetch-Site", site);
            assertRefused(CrossSiteGuard.FROM_ANOTHER_SITE, "GET", "Sec-Fetch-Site", site, "Sec-Fetch-Mode", "cors",
                    "Sec-Fetch-Dest", "empty");
        }
        for (String origin : new String[] {"http://evil.example", "http://127.0.0.1:8081", "http://127.0.0.1",
            "http://localhost:8080", "null", "http://127.0.0.1:8080/path", "not an origin"}) {
            assertRefused(CrossSiteGuard.FROM_ANOTHER_SITE, "POST", "Content-Type", "application/json",
                    "X-Requested-By", "x", "Origin", origin);
            assertRefused(CrossSiteGuard.FROM_ANOTHER_SITE, "GET", "Origin", origin);
        }
        // a form another site posts in the top-level window is a navigation too, but not a GET
        assertRefused(CrossSiteGuard.FROM_ANOTHER_SITE, "POST", "Content-Type", "application/json",
                "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document");
        // framed by another site
        assertRefused(CrossSiteGuard.FROM_ANOTHER_SITE, "GET", "Sec-Fetch-Site", "cross-site",
                "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "iframe");
    }

    @Test
    void aLinkFromAnotherSiteOpensThePage() {
        assertAccepted("GET", "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document");
    }

    @Test
    void theOwnOriginIsRecognisedBehindAProxyThatEndsTls() {
        assertAccepted("POST", "X-Requested-By", "x", "Origin", "http://127.0.0.1:8080");
        check("POST", "X-Requested-By", "x", "Origin", "https://ops.example.com", "Host", "ops.example.com");
        check("POST", "X-Requested-By", "x", "Origin", "https://ops.example.com", "Host", "OPS.example.com:443");
        assertRefused(CrossSiteGuard.FROM_ANOTHER_SITE, "POST", "X-Requested-By", "x",
                "Origin", "https://ops.example.com", "Host", "ops.example.com:80");
    }
}
