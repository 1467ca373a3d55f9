package io.github.segmentld.ingest;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The messageIds accepted most recently, per source, so that a client's retry of an event already on disk is answered
 * without being accepted twice. Bounded by count and by bytes (the oldest go first), so that no input can exhaust the
 * heap through it. Not thread-safe: {@link MessageIdDedupe} uses it under its lock.
 */
final class RecentMessageIds {

    /** What one entry costs besides its characters: the map's node, the key's object and array headers. */
    private static final int ENTRY_OVERHEAD_BYTES = 96;

    private final int maxCount;
    private final long maxBytes;
    private final Map<String, Boolean> keys = new LinkedHashMap<>();
    private long bytes;

    RecentMessageIds(int maxCount, long maxBytes) {
        this.maxCount = maxCount;
        this.maxBytes = maxBytes;
    }

    static String key(String source, String messageId) {
        return source + '\n' + messageId;
    }

    boolean contains(String key) {
        return keys.containsKey(key);
    }

    void add(String key) {
        if (keys.put(key, Boolean.TRUE) == null) {
            bytes += cost(key);
        }
        Iterator<String> oldest = keys.keySet().iterator();
        while ((keys.size() > maxCount || bytes > maxBytes) && oldest.hasNext()) {
            bytes -= cost(oldest.next());
            oldest.remove();
        }
    }

    int size() {
        return keys.size();
    }

    private static long cost(String key) {
        return ENTRY_OVERHEAD_BYTES + 2L * key.length();
    }
}
