package io.github.segmentld.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.apache.camel.Header;

/**
 * Verifies Segment's Webhooks destination signature: {@code X-Signature} is the hex HMAC-SHA1 of the body with the
 * shared secret; for a batched delivery (a JSON array) it covers only the first event, as sent.
 */
public class WebhookSignature {

    private final byte[] secret;
    private final JsonFactory json = new JsonFactory();

    public WebhookSignature(String secret) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    public void verify(@Header("X-Signature") String signature, byte[] body) {
        if (secret.length == 0) {
            throw new RefusedRequestException(401, "no webhook secret is configured (http.webhook-secret)");
        }
        if (signature == null || signature.isBlank()) {
            throw new RefusedRequestException(401, "missing X-Signature");
        }
        byte[] expected = HexFormat.of().formatHex(hmac(signedPart(body))).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, signature.strip().toLowerCase().getBytes(StandardCharsets.US_ASCII))) {
            throw new RefusedRequestException(401, "X-Signature does not match the body");
        }
    }

    /** The whole body, or for an array the bytes of its first element. */
    private byte[] signedPart(byte[] body) {
        try (JsonParser parser = json.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_ARRAY || parser.nextToken() == JsonToken.END_ARRAY) {
                return body;
            }
            int start = (int) parser.currentTokenLocation().getByteOffset();
            parser.skipChildren();
            int end = (int) parser.currentLocation().getByteOffset();
            return java.util.Arrays.copyOfRange(body, start, end);
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
