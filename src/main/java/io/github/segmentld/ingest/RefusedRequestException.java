package io.github.segmentld.ingest;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An HTTP request the service refuses as a whole, with the status and the message that names the problem. Routes
 * answer it as {@code {"success": false, "message": "..."}}.
 */
public class RefusedRequestException extends RuntimeException {

    private final int status;
    private final Integer retryAfterSeconds;

    public RefusedRequestException(int status, String message) {
        this(status, message, null);
    }

    public RefusedRequestException(int status, String message, Integer retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int getStatus() {
        return status;
    }

    /** Seconds a client should wait before trying again (back-pressure), or null. */
    public Integer getRetryAfter() {
        return retryAfterSeconds;
    }

    /** The response body. */
    public String getJson() {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("success", false);
        body.put("message", getMessage());
        return body.toString();
    }
}
