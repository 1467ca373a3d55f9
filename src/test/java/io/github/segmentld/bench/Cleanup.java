package io.github.segmentld.bench;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a benchmark has started outside its own JVM (child processes, cgroups), closed in reverse order when done with,
 * and by a shutdown hook whatever ends the benchmark (an exception, Ctrl+C), so that nothing outlives it.
 */
final class Cleanup {

    private final Deque<AutoCloseable> open = new ArrayDeque<>();

    Cleanup() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::closeAll, "cleanup"));
    }

    synchronized <T extends AutoCloseable> T register(T resource) {
        open.push(resource);
        return resource;
    }

    /** Closes one resource now. */
    void close(AutoCloseable resource) {
        synchronized (this) {
            if (!open.remove(resource)) {
                return;
            }
        }
        closeQuietly(resource);
    }

    void closeAll() {
        while (true) {
            AutoCloseable next;
            synchronized (this) {
                next = open.poll();
            }
            if (next == null) {
                return;
            }
            closeQuietly(next);
        }
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            System.err.println("cleanup: " + e);
        }
    }
}
