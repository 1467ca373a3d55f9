package io.github.segmentld.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates a delivery of Segment's webhooks. A shared token in a header (Segment's Webhooks (Actions) destination
 * sends the headers it is given) authenticates the whole request. Without a token, Segment's signature does:
 * {@code X-Signature} is the hex HMAC-SHA1 of the body with the shared secret; for a batched delivery (a JSON array)
 * it covers only the first event, so anyone holding one signed batch could append events to it. A batch is therefore
 * accepted on its signature alone only where {@code http.webhook-signed-arrays-allowed} says so. Secrets are compared
 * in constant time and never logged.
 */
public class WebhookAuthentication {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookAuthentication.class);

    private final byte[] token;
    private final String tokenHeader;
    private final byte[] secret;
    private final boolean signedArraysAllowed;
    private final JsonFactory json = new JsonFactory();

    /**
     * @param token               the shared token ({@code http.webhook-token}); empty: none
     * @param tokenHeader         the header that carries it
     * @param secret              the signing secret ({@code http.webhook-secret}); empty: none
     * @param signedArraysAllowed accept a batch on a signature that covers only its first event
     */
    public WebhookAuthentication(String token, String tokenHeader, String secret, boolean signedArraysAllowed) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.tokenHeader = tokenHeader;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.signedArraysAllowed = signedArraysAllowed;
        if (this.token.length == 0 && this.secret.length == 0) {
            LOG.warn("No webhook token or secret is configured (http.webhook-token, http.webhook-secret): every"
                    + " webhook delivery will be answered 401");
        }
        if (signedArraysAllowed && this.token.length == 0) {
            LOG.warn("http.webhook-signed-arrays-allowed is true: a batched webhook delivery is accepted on its"
                    + " X-Signature, which covers only its first event, so anyone holding one signed batch can add"
                    + " events to it. Set http.webhook-token and send it from Segment instead.");
        }
    }

    /**
     * Refuses the request with 401 unless its token matches, or, without a token configured, its signature does.
     * Runs before the body is decoded when a token is configured.
     */
    public void verifyToken(Exchange exchange) {
        if (token.length == 0) {
            return;
        }
        String given = exchange.getMessage().getHeader(tokenHeader, String.class);
        if (given == null || given.isEmpty()) {
            throw new RefusedRequestException(401, "missing " + tokenHeader);
        }
        if (!MessageDigest.isEqual(token, given.strip().getBytes(StandardCharsets.UTF_8))) {
            throw new RefusedRequestException(401, tokenHeader + " does not match");
        }
    }

    /**
     * Without a token, checks the signature of the decoded body; returns it (lower-case hex) for the replay check,
     * or null when the token authenticated the request.
     */
    public String verifySignature(@Header("X-Signature") String signature, byte[] body) {
        if (token.length > 0) {
            return null;
        }
        if (secret.length == 0) {
            throw new RefusedRequestException(401, "no webhook token or secret is configured (http.webhook-token,"
                    + " http.webhook-secret)");
        }
        if (signature == null || signature.isBlank()) {
            throw new RefusedRequestException(401, "missing X-Signature");
        }
        byte[] signed = signedPart(body);
        if (signed != body && !signedArraysAllowed) {
            throw new RefusedRequestException(401, "a batched delivery (a JSON array) needs the shared token in "
                    + tokenHeader + ": its X-Signature covers only the first event");
        }
        String expected = HexFormat.of().formatHex(hmac(signed));
        String given = signature.strip().toLowerCase(Locale.ROOT);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), given.getBytes(StandardCharsets.UTF_8))) {
            throw new RefusedRequestException(401, "X-Signature does not match the body");
        }
        return expected;
    }

    /** The whole body, or for a non-empty array the bytes of its first element. */
    private byte[] signedPart(byte[] body) {
        try (JsonParser parser = json.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_ARRAY || parser.nextToken() == JsonToken.END_ARRAY) {
                return body;
            }
            int start = (int) parser.currentTokenLocation().getByteOffset();
            parser.skipChildren();
            int end = (int) parser.currentLocation().getByteOffset();
            return Arrays.copyOfRange(body, start, end);
        } catch (JacksonException invalid) {
            throw new RefusedRequestException(400, "invalid JSON: " + invalid.getOriginalMessage());
        } catch (IOException invalid) {
            throw new RefusedRequestException(400, "invalid JSON: " + invalid.getMessage());
        }
    }

    private byte[] hmac(byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret, "HmacSHA1"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is not available", e);
        }
    }
}
