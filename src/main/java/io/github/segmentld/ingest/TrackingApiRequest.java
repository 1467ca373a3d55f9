package io.github.segmentld.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A parsed Tracking API request, before its sender is authenticated.
 *
 * @param call     the path after /v1/, without a trailing slash ("track", "t", "batch", "import"...)
 * @param body     the request's JSON object
 * @param writeKey the write key given in the body, if any
 */
public record TrackingApiRequest(String call, ObjectNode body, String writeKey) {
}
