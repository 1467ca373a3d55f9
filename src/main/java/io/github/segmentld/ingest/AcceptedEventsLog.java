package io.github.segmentld.ingest;

/**
 * Where the HTTP sources put what they accept before answering 200: the local spool, or a Kafka topic shared by the
 * instances side by side.
 */
public interface AcceptedEventsLog {

    /**
     * Returns once the events are stored durably.
     *
     * @throws RefusedRequestException 503 with Retry-After when they could not be
     */
    void append(AcceptedEvents accepted);
}
