package io.github.segmentld.ingest;

import java.util.List;

import io.github.segmentld.model.Rejection;

/**
 * Where the durable logs of the HTTP sources record the events a request had refused, once its accepted events are
 * stored and before it is answered: all of one request's together, so that one sync and one commit record them
 * whatever their number.
 */
@FunctionalInterface
public interface RefusedEvents {

    void record(List<Rejection> refused);
}
