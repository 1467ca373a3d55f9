package io.github.segmentld.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import io.github.segmentld.time.Ticker;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's durable state, in one SQLite database file: the outcome of every batch, the chunks of inputs that
 * are settled, and the retry queues. SQLite is embedded (nothing to install or run), transactional, and made for
 * crash safety: with its write-ahead log and full syncs a committed transaction survives kill -9 and power loss.
 * <p>
 * Writes go through one thread, which commits whatever has queued up meanwhile in one transaction (group commit), so
 * concurrent callers share one sync. A write that fails is rolled back on its own (a savepoint each) and its caller
 * sees the exception. Reads use a connection of their own, which SQLite lets run beside the writer.
 * <p>
 * Nothing waits on the writer for ever: whatever a write throws, an {@link Error} included, the writer logs and counts
 * it and goes on with the next ones; and a caller waits at most the write timeout, then gets a
 * {@link StateUnavailableException} (the HTTP sources answer it 503 with Retry-After). A write that timed out before
 * the writer took it is dropped; one the writer had taken may still commit.
 */
public class StateDatabase extends ServiceSupport {

    /** A piece of work on the database. */
    @FunctionalInterface
    public interface Work<T> {
        T apply(Connection connection) throws SQLException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(StateDatabase.class);
    private static final int MAX_WRITES_PER_COMMIT = 512;
    private static final long FAILURE_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** The default write timeout, for databases made without one (tests). */
    private static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(15);

    private record Pending(Work<?> work, CompletableFuture<Object> done) {
    }

    private final Path file;
    private final Clock clock;
    private final Ticker ticker;
    private final long writeTimeoutNanos;
    private final BlockingQueue<Pending> pending = new ArrayBlockingQueue<>(4096);
    private final AtomicLong writerFailures = new AtomicLong();
    private Connection writer;
    private Connection reader;
    private Thread writerThread;
    private volatile boolean running;
    private volatile long lastCommitAt = Long.MIN_VALUE;
    private volatile long lastFailureLoggedAt;
    /** The ticker's reading when the transaction under way began; Long.MIN_VALUE while the writer waits for work. */
    private volatile long transactionSince = Long.MIN_VALUE;
    /** The last transaction's failure, or an Error one of its writes threw; null once a transaction commits cleanly. */
    private volatile Throwable lastFailure;

    public StateDatabase(Path file, Clock clock) {
        this(file, clock, Ticker.SYSTEM, DEFAULT_WRITE_TIMEOUT);
    }

    /**
     * @param clock        what the salvage of a damaged file names it after
     * @param writeTimeout how long a caller of {@link #write} waits at most
     */
    public StateDatabase(Path file, Clock clock, Ticker ticker, Duration writeTimeout) {
        this.file = file;
        this.clock = clock;
        this.ticker = ticker;
        this.writeTimeoutNanos = writeTimeout.toNanos();
        this.lastFailureLoggedAt = ticker.nanos() - FAILURE_LOG_INTERVAL_NANOS;
    }

    /** The ticker's reading when the last write was committed (Long.MIN_VALUE: none yet). */
    public long lastCommitAt() {
        return lastCommitAt;
    }

    /** How many times a write threw an Error, or a transaction failed as a whole, since the start. */
    public long writerFailures() {
        return writerFailures.get();
    }

    /**
     * What keeps the writer from working right now, for the health check: a transaction under way for longer than the
     * write timeout, or the last transaction's failure (until one commits cleanly); empty while it works.
     */
    public Optional<String> writerTrouble() {
        long since = transactionSince;
        if (since != Long.MIN_VALUE && ticker.nanos() - since > writeTimeoutNanos) {
            return Optional.of("the writer has been on one transaction for "
                    + TimeUnit.NANOSECONDS.toSeconds(ticker.nanos() - since) + " s");
        }
        if (running && writerThread != null && !writerThread.isAlive()) {
            return Optional.of("the writer has stopped");
        }
        Throwable failure = lastFailure;
        return failure == null ? Optional.empty() : Optional.of("the last transaction failed: " + failure);
    }

    @Override
    protected void doStart() throws Exception {
        StateDatabaseFile opener = new StateDatabaseFile(file, clock);
        writer = opener.openForWriting();
        reader = opener.openForReading();
        running = true;
        writerThread = new Thread(this::writeLoop, "state-database-writer");
        writerThread.setDaemon(true);
        writerThread.start();
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        if (writerThread != null) {
            writerThread.interrupt();
            writerThread.join(TimeUnit.SECONDS.toMillis(10));
        }
        failPending(new IllegalStateException("the state database is closed"));
        StateDatabaseFile.closeQuietly(writer);
        StateDatabaseFile.closeQuietly(reader);
    }

    /**
     * Runs the work in the next transaction and returns once it is committed (synced to disk).
     *
     * @throws StateUnavailableException when it failed, or was not committed within the write timeout
     */
    public <T> T write(Work<T> work) {
        long deadline = ticker.nanos() + writeTimeoutNanos;
        Pending queued = enqueue(work, deadline);
        try {
            @SuppressWarnings("unchecked")
            T result = (T) queued.done().get(Math.max(0, deadline - ticker.nanos()), TimeUnit.NANOSECONDS);
            return result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StateUnavailableException("interrupted while waiting for the state database", e);
        } catch (ExecutionException e) {
            throw StateUnavailableException.of(file, e.getCause());
        } catch (TimeoutException e) {
            pending.remove(queued);
            queued.done().completeExceptionally(e);
            throw new StateUnavailableException("the state database " + file + " did not commit a write within "
                    + TimeUnit.NANOSECONDS.toMillis(writeTimeoutNanos) + " ms", e);
        }
    }

    /**
     * Queues the work for the next transaction without waiting: it commits in order with the writes queued before and
     * after it. For records whose loss in a crash costs nothing but a repeat that LaunchDarkly drops.
     */
    public void writeLater(Work<?> work) {
        enqueue(work, ticker.nanos() + writeTimeoutNanos).done().exceptionally(failure -> {
            long now = ticker.nanos();
            if (now - lastFailureLoggedAt >= FAILURE_LOG_INTERVAL_NANOS) {
                lastFailureLoggedAt = now;
                LOG.warn("A state database write failed (logged at most every 10 s): {}", failure.getMessage());
            }
            return null;
        });
    }

    public <T> T read(Work<T> work) {
        synchronized (this) {
            if (reader == null) {
                throw new StateUnavailableException("the state database " + file + " is not open", null);
            }
            try {
                return work.apply(reader);
            } catch (SQLException e) {
                throw StateUnavailableException.of(file, e);
            }
        }
    }

    private Pending enqueue(Work<?> work, long deadline) {
        if (!running) {
            throw new StateUnavailableException("the state database " + file + " is not open", null);
        }
        Pending queued = new Pending(work, new CompletableFuture<>());
        try {
            if (!pending.offer(queued, Math.max(0, deadline - ticker.nanos()), TimeUnit.NANOSECONDS)) {
                throw new StateUnavailableException("the state database " + file + " has too many writes waiting"
                        + " (its writer is behind)", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StateUnavailableException("interrupted while queueing a state database write", e);
        }
        return queued;
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>(MAX_WRITES_PER_COMMIT);
        while (running || !pending.isEmpty()) {
            try {
                Pending first = pending.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                pending.drainTo(batch, MAX_WRITES_PER_COMMIT - 1);
                commit(batch);
            } catch (InterruptedException e) {
                if (running) {
                    continue;
                }
                pending.drainTo(batch);
                commitLast(batch);
                return;
            } catch (Throwable failure) {
                // an Error outside any one write (out of memory between them): the batch fails, the writer goes on
                transactionFailed(batch, failure);
            } finally {
                transactionSince = Long.MIN_VALUE;
                batch.clear();
            }
        }
    }

    private void commitLast(List<Pending> batch) {
        try {
            commit(batch);
        } catch (Throwable failure) {
            transactionFailed(batch, failure);
        }
    }

    /**
     * Runs each write under a savepoint of its own, then commits them all at once. The transaction is begun and ended
     * by statements, not by the driver: after a commit that failed (a full disk), SQLite may have rolled it back
     * already, and the next transaction must start clean.
     */
    private void commit(List<Pending> batch) {
        transactionSince = ticker.nanos();
        Object[] results = new Object[batch.size()];
        Throwable[] failures = new Throwable[batch.size()];
        Throwable error = null;
        try (Statement sql = writer.createStatement()) {
            sql.execute("BEGIN IMMEDIATE");
            for (int i = 0; i < batch.size(); i++) {
                sql.execute("SAVEPOINT work");
                try {
                    results[i] = batch.get(i).work().apply(writer);
                    sql.execute("RELEASE work");
                } catch (Throwable e) {
                    // an Error too (a defect's AssertionError, a stack overflow): only this write is lost
                    sql.execute("ROLLBACK TO work");
                    sql.execute("RELEASE work");
                    failures[i] = e;
                    if (e instanceof Error) {
                        error = e;
                        noteFailure(e);
                    }
                }
            }
            sql.execute("COMMIT");
            lastCommitAt = ticker.nanos();
            lastFailure = error;
        } catch (SQLException commitFailed) {
            transactionFailed(batch, commitFailed);
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            if (failures[i] != null) {
                batch.get(i).done().completeExceptionally(failures[i]);
            } else {
                batch.get(i).done().complete(results[i]);
            }
        }
    }

    private void transactionFailed(List<Pending> batch, Throwable failure) {
        noteFailure(failure);
        rollBack();
        batch.forEach(p -> p.done().completeExceptionally(failure));
    }

    private void noteFailure(Throwable failure) {
        lastFailure = failure;
        writerFailures.incrementAndGet();
        if (failure instanceof Error) {
            LOG.error("The state database's writer caught {}; it goes on with the next writes", failure, failure);
        }
    }

    private void rollBack() {
        try (Statement sql = writer.createStatement()) {
            sql.execute("ROLLBACK");
        } catch (SQLException noTransaction) {
            // SQLite rolled it back itself
        }
    }

    private void failPending(RuntimeException reason) {
        List<Pending> left = new ArrayList<>();
        pending.drainTo(left);
        left.forEach(p -> p.done().completeExceptionally(reason));
    }
}
