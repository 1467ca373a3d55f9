package io.github.segmentld.server;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.function.UnaryOperator;

import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

/**
 * Refuses requests to the operator endpoints that another site's page may have made. A browser sends a plain form
 * (urlencoded, multipart or text/plain) to any address without asking, credentials included, so a request that changes
 * something must carry what such a form cannot: {@code Content-Type: application/json} or an {@value #REQUESTED_BY}
 * header (both make a browser ask the server first, which it does not allow). And a request whose {@code Origin} is not
 * the server's own, or whose {@code Sec-Fetch-Site} is not {@code same-origin} or {@code none} (typed by the user), is
 * refused whatever it carries: {@code same-site} is refused too, as another port of 127.0.0.1 is the same site.
 * Following a link to a page (a GET navigation) is the one exception: the alerts link to the delivery page, and a link
 * neither changes anything nor lets the other site read the answer.
 *
 * <p>The headers are read from the HTTP request itself, not from the exchange's headers: the HTTP component puts the
 * query parameters and form fields among those, where a forged form could add the very headers this guard asks for.
 */
public class CrossSiteGuard {

    /** The header the delivery page sends with its requests that change something. */
    public static final String REQUESTED_BY = "X-Requested-By";

    /** A request another site's page may have made. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    static final String FROM_ANOTHER_SITE = "the request comes from another site's page: the operator endpoints answer"
            + " their own page and tools such as curl only";
    static final String FORM_LIKE = "send Content-Type: application/json or an " + REQUESTED_BY + " header: another"
            + " site's page can make a request other than GET or HEAD without either";

    /** @throws Refused when the exchange's HTTP request may come from another site's page */
    public void check(Exchange exchange) {
        if (!(exchange.getIn() instanceof HttpMessage http)) {
            throw new Refused(FROM_ANOTHER_SITE);
        }
        check(http.getRequest().method().name(), name -> http.getRequest().getHeader(name));
    }

    /** @throws Refused when a request of the method with these headers may come from another site's page */
    static void check(String method, UnaryOperator<String> headers) {
        boolean reading = method.equals("GET") || method.equals("HEAD");
        String site = lower(headers.apply("Sec-Fetch-Site"));
        if (site != null && !site.equals("same-origin") && !site.equals("none") && !(reading && followsLink(headers))) {
            throw new Refused(FROM_ANOTHER_SITE);
        }
        String origin = headers.apply("Origin");
        if (origin != null && !isOwn(origin, headers.apply("Host"))) {
            throw new Refused(FROM_ANOTHER_SITE);
        }
        if (!reading && !isJson(headers.apply("Content-Type")) && isBlank(headers.apply(REQUESTED_BY))) {
            throw new Refused(FORM_LIKE);
        }
    }

    /** A top-level GET navigation: a link followed or an address typed, never an iframe, image or script. */
    private static boolean followsLink(UnaryOperator<String> headers) {
        return "navigate".equals(lower(headers.apply("Sec-Fetch-Mode")))
                && "document".equals(lower(headers.apply("Sec-Fetch-Dest")));
    }

    /**
     * Whether the origin names the host and port the request was sent to. The port is compared under the origin's
     * scheme, so a proxy that ends TLS in front of the server (and passes the Host header on) keeps the page working.
     * The origin {@code null} (a sandboxed frame, a local file) names no host, so it is never the server's own.
     */
    private static boolean isOwn(String origin, String host) {
        if (host == null) {
            return false;
        }
        try {
            URI from = new URI(origin.strip());
            URI to = new URI(from.getScheme(), host.strip(), null, null, null);
            boolean bare = from.getRawPath() == null || from.getRawPath().isEmpty();
            return bare && from.getHost() != null && from.getHost().equalsIgnoreCase(to.getHost())
                    && port(from) == port(to);
        } catch (URISyntaxException | IllegalArgumentException unreadable) {
            return false;
        }
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : "http".equalsIgnoreCase(uri.getScheme()) ? 80 : -1;
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int parameters = contentType.indexOf(';');
        String mediaType = (parameters < 0 ? contentType : contentType.substring(0, parameters)).strip();
        return mediaType.equalsIgnoreCase("application/json");
    }

    private static String lower(String value) {
        return value == null ? null : value.strip().toLowerCase(Locale.ROOT);
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
