package io.github.segmentld.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write keys the Tracking API accepts, each optionally named as a source. A key is taken from HTTP Basic
 * authentication (the user name, with or without the trailing colon), checked before the body is read, or else from
 * {@code writeKey} in the body, and compared in constant time with every configured key. Keys never appear in logs or
 * answers.
 */
public class WriteKeys {

    private static final Logger LOG = LoggerFactory.getLogger(WriteKeys.class);
    private static final String UNAUTHENTICATED = "unauthenticated";

    private record Key(String source, byte[] value) {
    }

    private final List<Key> keys = new ArrayList<>();
    private final boolean required;

    /**
     * @param configured comma-separated {@code key} or {@code source=key} entries
     * @param required   false only by explicit configuration: then any request is accepted
     */
    public WriteKeys(String configured, boolean required) {
        this.required = required;
        for (String entry : configured.split(",")) {
            String trimmed = entry.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            int equals = trimmed.indexOf('=');
            String source = equals < 0 ? "source-" + (keys.size() + 1) : trimmed.substring(0, equals).strip();
            String key = equals < 0 ? trimmed : trimmed.substring(equals + 1).strip();
            keys.add(new Key(source, key.getBytes(StandardCharsets.UTF_8)));
        }
        if (!required) {
            LOG.warn("http.auth-enabled is false: the Tracking API accepts requests without a write key");
        } else if (keys.isEmpty()) {
            LOG.warn("No write keys configured (http.write-keys): every Tracking API request will be answered 401");
        }
    }

    /**
     * Authenticates a key given by HTTP Basic authentication before the body is decoded or parsed: returns its
     * source, or null when the request has no such header (its key may be in the body), or refuses it with 401.
     */
    public String authenticateHeader(@Header("Authorization") String authorization) {
        if (!required) {
            return UNAUTHENTICATED;
        }
        String given = basicUser(authorization);
        return given == null ? null : sourceOf(given);
    }

    /** The source authenticated by the header, or else the source of the body's {@code writeKey}, or 401. */
    public String authenticateBody(@Header(SegmentRequestReader.SOURCE_HEADER) String authenticated,
                                   TrackingApiRequest request) {
        return authenticated != null ? authenticated : sourceOf(request.writeKey());
    }

    private String sourceOf(String given) {
        if (given == null || given.isEmpty()) {
            throw new RefusedRequestException(401, "no write key: use HTTP Basic authentication with the write key as"
                    + " user name, or writeKey in the body");
        }
        byte[] candidate = given.getBytes(StandardCharsets.UTF_8);
        String source = null;
        for (Key key : keys) {
            if (MessageDigest.isEqual(key.value(), candidate) && source == null) {
                source = key.source();
            }
        }
        if (source == null) {
            throw new RefusedRequestException(401, "unknown write key");
        }
        return source;
    }

    private static String basicUser(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? decoded : decoded.substring(0, colon);
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
    }
}
