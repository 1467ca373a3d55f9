package io.github.segmentld.ingest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A file channel that fails as a full or failing disk does: writes beyond a budget of bytes write part of the buffer
 * and then fail with "No space left on device", and a sync can be made to fail once the test has let other writes in;
 * a sync can be seen. Everything else goes to a real file.
 */
public final class FailingChannel extends FileChannel {

    private final FileChannel file;
    private volatile long writeBudget = Long.MAX_VALUE;
    private volatile CountDownLatch failingSync;
    private final AtomicInteger writes = new AtomicInteger();
    private volatile Runnable onForce = () -> { };

    public FailingChannel(FileChannel file) {
        this.file = file;
    }

    /** Runs {@code step} after each sync that succeeds. */
    public void onForce(Runnable step) {
        onForce = step;
    }

    /** From now on, at most {@code bytes} more bytes are written; then writes fail. */
    void allowWrites(long bytes) {
        writeBudget = bytes;
    }

    /** The next sync waits until {@code release} is opened, then fails. */
    void failNextSync(CountDownLatch release) {
        failingSync = release;
    }

    /** How many writes were made. */
    int writes() {
        return writes.get();
    }

    @Override
    public int write(ByteBuffer source) throws IOException {
        writes.incrementAndGet();
        if (writeBudget <= 0) {
            throw new IOException("No space left on device");
        }
        if (source.remaining() > writeBudget) {
            ByteBuffer part = source.slice().limit((int) writeBudget);
            int written = file.write(part);
            source.position(source.position() + written);
            writeBudget = 0;
            return written;
        }
        int written = file.write(source);
        writeBudget -= written;
        return written;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        CountDownLatch release = failingSync;
        if (release != null) {
            failingSync = null;
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("Input/output error");
        }
        file.force(metaData);
        onForce.run();
    }

    @Override
    public int read(ByteBuffer target) throws IOException {
        return file.read(target);
    }

    @Override
    public long read(ByteBuffer[] targets, int offset, int length) throws IOException {
        return file.read(targets, offset, length);
    }

    @Override
    public long write(ByteBuffer[] sources, int offset, int length) throws IOException {
        long written = 0;
        for (int i = offset; i < offset + length; i++) {
            written += write(sources[i]);
        }
        return written;
    }

    @Override
    public long position() throws IOException {
        return file.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        file.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return file.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        file.truncate(size);
        return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return file.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel source, long position, long count) throws IOException {
        return file.transferFrom(source, position, count);
    }

    @Override
    public int read(ByteBuffer target, long position) throws IOException {
        return file.read(target, position);
    }

    @Override
    public int write(ByteBuffer source, long position) throws IOException {
        return file.write(source, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return file.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return file.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return file.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        file.close();
    }
}
