package io.github.segmentld.observe;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import io.github.segmentld.time.Ticker;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeFailedEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells when the application stops making progress, and ends it when it cannot go on. The {@code progress} health
 * check is DOWN while a worker has not beaten for {@code watchdog.stall-seconds} (the spool's roll timer, each
 * destination's retry queue), or while the inbox holds a file that old and the state database has committed nothing
 * in that time. A worker that has stopped, or an {@link OutOfMemoryError} (or another {@link VirtualMachineError})
 * anywhere, is fatal: the HTTP sources stop accepting (503), and the process exits with code 70 for its supervisor to
 * restart it. Everything acknowledged is on disk, so the restart loses nothing.
 */
public class Watchdog extends AbstractHealthCheck {

    /** The exit code after a fatal error. */
    public static final int EXIT_CODE = 70;

    private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);

    private final Path inboxDir;
    private final Duration stallAfter;
    private final LongSupplier lastCommitAt;
    private final Consumer<String> stopAccepting;
    private final boolean exitOnFatal;
    private final Ticker ticker;
    /** Each worker's last beat, as a ticker reading: a wall clock stepped forward would make them all look stalled. */
    private final Map<String, Long> heartbeats = new ConcurrentHashMap<>();
    private final AtomicBoolean fatal = new AtomicBoolean();
    private final long startedAt;
    /**
     * Since when the inbox holds files, as seen by the checks (a file's own time says nothing: it may be old); a
     * ticker reading, or Long.MIN_VALUE while the inbox is empty.
     */
    private volatile long inboxBusySince = Long.MIN_VALUE;
    private ScheduledExecutorService checker;

    /**
     * @param lastCommitAt  when the state database last committed, as a reading of the ticker (Long.MIN_VALUE: never)
     * @param stopAccepting closes the HTTP sources, with the reason
     * @param exitOnFatal   false only where the process must not exit (tests in a shared JVM)
     */
    public Watchdog(Path inboxDir, Duration stallAfter, LongSupplier lastCommitAt, Consumer<String> stopAccepting,
                    boolean exitOnFatal, Ticker ticker) {
        super("progress");
        this.inboxDir = inboxDir;
        this.stallAfter = stallAfter;
        this.lastCommitAt = lastCommitAt;
        this.stopAccepting = stopAccepting;
        this.exitOnFatal = exitOnFatal;
        this.ticker = ticker;
        this.startedAt = ticker.nanos();
    }

    /** A worker that runs on a timer says it is alive; one that stops saying so is considered dead. */
    public void beat(String worker) {
        heartbeats.put(worker, ticker.nanos());
    }

    /** What is not making progress, each with how long; empty when all is well. */
    public List<String> stalls() {
        long now = ticker.nanos();
        long limit = stallAfter.toNanos();
        List<String> stalls = new ArrayList<>();
        heartbeats.forEach((worker, at) -> {
            if (now - at > limit) {
                stalls.add(worker + " has not run for " + seconds(now - at) + " s");
            }
        });
        long busySince = inboxBusySince;
        long committedAt = lastCommitAt.getAsLong();
        long lastCommit = committedAt == Long.MIN_VALUE || committedAt - startedAt < 0 ? startedAt : committedAt;
        if (busySince != Long.MIN_VALUE && now - busySince > limit && now - lastCommit > limit) {
            stalls.add("the inbox has held files for " + seconds(now - busySince) + " s and nothing was settled for "
                    + seconds(now - lastCommit) + " s");
        }
        return stalls;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        List<String> stalls = stalls();
        if (fatal.get()) {
            builder.down().message("a fatal error occurred; the process is exiting");
        } else if (stalls.isEmpty()) {
            builder.up();
        } else {
            builder.down().message(String.join("; ", stalls));
        }
        builder.detail("stall.seconds", stallAfter.toSeconds());
    }

    /** Checks the workers every few seconds from a thread of its own, so that it outlives a stuck Camel. */
    private void watch() {
        Thread.setDefaultUncaughtExceptionHandler((thread, failure) -> {
            if (failure instanceof VirtualMachineError) {
                fatal(failure + " in thread " + thread.getName());
            } else {
                LOG.error("Thread {} died: {}", thread.getName(), failure.toString(), failure);
            }
        });
        checker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "watchdog");
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(1, Math.min(10, stallAfter.toSeconds() / 4));
        checker.scheduleWithFixedDelay(() -> {
            boolean busy = inboxHoldsInputs();
            if (!busy) {
                inboxBusySince = Long.MIN_VALUE;
            } else if (inboxBusySince == Long.MIN_VALUE) {
                inboxBusySince = ticker.nanos();
            }
            List<String> dead = heartbeats.entrySet().stream()
                    .filter(beat -> ticker.nanos() - beat.getValue() > stallAfter.toNanos())
                    .map(beat -> beat.getKey() + " has stopped")
                    .toList();
            if (!dead.isEmpty()) {
                fatal(String.join("; ", dead));
            }
        }, period, period, TimeUnit.SECONDS);
    }

    private void stop() {
        if (checker != null) {
            checker.shutdownNow();
        }
    }

    /** Stops accepting and exits: the state on disk is all a restart needs. */
    public void fatal(String reason) {
        if (!fatal.compareAndSet(false, true)) {
            return;
        }
        LOG.error("FATAL: {}. The application stops accepting requests and exits with code {} for its supervisor to"
                + " restart it; everything acknowledged is on disk.", reason, EXIT_CODE);
        stopAccepting.accept("the application is restarting");
        if (!exitOnFatal) {
            return;
        }
        Thread halt = new Thread(() -> {
            sleepQuietly(Duration.ofSeconds(20));
            Runtime.getRuntime().halt(EXIT_CODE);
        }, "watchdog-halt");
        halt.setDaemon(true);
        halt.start();
        new Thread(() -> System.exit(EXIT_CODE), "watchdog-exit").start();
    }

    /**
     * Turns an exchange that failed with a virtual machine error into a fatal error; watches from when the context
     * starts to when it stops.
     */
    public EventNotifierSupport fatalErrors() {
        return new EventNotifierSupport() {
            @Override
            protected void doStart() {
                watch();
            }

            @Override
            protected void doStop() {
                Watchdog.this.stop();
            }

            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof ExchangeFailedEvent;
            }

            @Override
            public void notify(CamelEvent event) {
                for (Throwable cause = ((ExchangeFailedEvent) event).getExchange().getException(); cause != null;
                     cause = cause.getCause()) {
                    if (cause instanceof VirtualMachineError) {
                        fatal(cause.toString());
                        return;
                    }
                }
            }
        };
    }

    /** Whether the inbox holds files the file route takes (not those still being written). */
    private boolean inboxHoldsInputs() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(inboxDir, file -> Files.isRegularFile(file)
                && !file.getFileName().toString().matches("^\\..*|.*\\.(tmp|part)$"))) {
            return files.iterator().hasNext();
        } catch (IOException e) {
            return false;
        }
    }

    private static long seconds(long nanos) {
        return TimeUnit.NANOSECONDS.toSeconds(nanos);
    }

    private static void sleepQuietly(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
