package io.github.segmentld.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

import org.apache.camel.Header;

/**
 * Who may use the operator endpoints (the delivery page and its API, the preview, the settings check, the event tester):
 * with {@code operator.token} set, a request must carry it, as {@code Authorization: Bearer <token>} or as the password
 * of HTTP Basic authentication (so a browser asks for it once and sends it with the page's own requests); compared in
 * constant time. Without a token, whoever reaches the server may, which by default is this machine only
 * ({@code camel.server.host=127.0.0.1}).
 */
public class OperatorAccess {

    /** A request without the operator token. */
    public static final class Denied extends RuntimeException {
        Denied() {
            super("the operator token is missing or wrong: send it as Authorization: Bearer <token>, or as the"
                    + " password of Basic authentication");
        }
    }

    private final byte[] token;

    public OperatorAccess(String token) {
        this.token = token == null || token.isBlank() ? null : token.strip().getBytes(StandardCharsets.UTF_8);
    }

    /** @throws Denied when a token is set and the request does not carry it */
    public void check(@Header("Authorization") String authorization) {
        if (token != null && !MessageDigest.isEqual(token, presented(authorization))) {
            throw new Denied();
        }
    }

    private static byte[] presented(String authorization) {
        if (authorization == null) {
            return new byte[0];
        }
        String value = authorization.strip();
        if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return value.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        }
        if (value.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String credentials = new String(Base64.getDecoder().decode(value.substring(6).strip()),
                        StandardCharsets.UTF_8);
                int colon = credentials.indexOf(':');
                return credentials.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
            } catch (IllegalArgumentException notBase64) {
                return new byte[0];
            }
        }
        return new byte[0];
    }
}
