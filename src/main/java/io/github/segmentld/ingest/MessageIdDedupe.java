package io.github.segmentld.ingest;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.github.segmentld.observe.PipelineMetrics;

/**
 * Accepts a messageId of a source once, for the HTTP sources' durable logs (the spool and Kafka). A request claims the
 * messageIds of its events that are neither remembered nor repeated within it; the claim holds them until the request
 * knows which of its events were stored, which are then remembered (and only those: a retry of what was not stored is
 * accepted). A request that shares a messageId with one still storing it waits for that one's outcome. Thread-safe.
 */
public final class MessageIdDedupe {

    /** The events of a request still to be stored, and the messageIds it holds until {@link #settle}. */
    public final class Claim {

        private final String sender;
        private final List<AcceptedEvents.Event> fresh;
        /** The keys of the fresh events, in their order: all the keys the claim holds. */
        private final List<String> keys;

        private Claim(String sender, List<AcceptedEvents.Event> fresh, List<String> keys) {
            this.sender = sender;
            this.fresh = fresh;
            this.keys = keys;
        }

        public List<AcceptedEvents.Event> fresh() {
            return fresh;
        }

        /** Remembers the messageIds of the fresh events that were stored, and releases all of the claim's. */
        public void settle(List<AcceptedEvents.Event> stored) {
            synchronized (MessageIdDedupe.this) {
                if (stored == fresh) {
                    keys.forEach(recent::add); // all stored: their keys are at hand
                } else {
                    stored.forEach(event -> recent.add(RecentMessageIds.key(sender, event.messageId())));
                }
                keys.forEach(claimed::remove);
                MessageIdDedupe.this.notifyAll();
            }
        }
    }

    /** Thrown when a messageId of the request is still claimed by another request when the wait ends. */
    public static final class StillClaimedException extends Exception {
        StillClaimedException() {
            super("another request with the same messageId is still being stored");
        }
    }

    private final RecentMessageIds recent;
    private final Set<String> claimed = new HashSet<>();
    private final PipelineMetrics metrics;

    public MessageIdDedupe(int maxRemembered, long maxRememberedBytes, PipelineMetrics metrics) {
        this.recent = new RecentMessageIds(maxRemembered, maxRememberedBytes);
        this.metrics = metrics;
    }

    /** Remembers a messageId of a source stored before this start (read back from the log at start). */
    public void remember(String source, String messageId) {
        remember(RecentMessageIds.key(source, messageId));
    }

    /** Remembers a key of {@link RecentMessageIds#key} read back from the spool. */
    synchronized void remember(String key) {
        recent.add(key);
    }

    public synchronized int remembered() {
        return recent.size();
    }

    /**
     * Claims the request's new events; a duplicate is counted as filtered and left out. Waits at most
     * {@code maxWaitNanos} for other requests holding one of its messageIds.
     */
    public Claim claim(AcceptedEvents accepted, long maxWaitNanos) throws StillClaimedException, InterruptedException {
        List<AcceptedEvents.Event> events = accepted.events();
        String[] requested = new String[events.size()];
        for (int i = 0; i < requested.length; i++) {
            requested[i] = RecentMessageIds.key(accepted.sender(), events.get(i).messageId());
        }
        long start = System.nanoTime();
        synchronized (this) {
            while (anyClaimed(requested)) {
                long left = maxWaitNanos - (System.nanoTime() - start);
                if (left <= 0) {
                    throw new StillClaimedException();
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            List<AcceptedEvents.Event> fresh = new ArrayList<>(requested.length);
            List<String> keys = new ArrayList<>(requested.length);
            for (int i = 0; i < requested.length; i++) {
                if (recent.contains(requested[i]) || !claimed.add(requested[i])) {
                    metrics.filtered("duplicate_message_id", events.get(i).type(), 1);
                } else {
                    fresh.add(events.get(i));
                    keys.add(requested[i]);
                }
            }
            return new Claim(accepted.sender(), fresh, keys);
        }
    }

    private boolean anyClaimed(String[] keys) {
        for (String key : keys) {
            if (claimed.contains(key)) {
                return true;
            }
        }
        return false;
    }
}
