package io.github.segmentld.launchdarkly;

import java.io.File;

import org.apache.camel.support.processor.idempotent.FileIdempotentRepository;

/**
 * The payload IDs of delivered batches, kept in an append-only file and, for the most recent {@code cacheSize} of them,
 * in memory (loaded from the file at start). Camel's file repository also scans the whole file for every ID it does
 * not hold in memory, which for a store of delivered batches is every new ID: a cost that grows with the store. Here
 * the memory is authoritative; a batch older than the last {@code cacheSize} belongs to an input committed long ago.
 */
public class DeliveredBatches extends FileIdempotentRepository {

    public DeliveredBatches(File file, int cacheSize, long maxFileBytes) {
        setFileStore(file);
        setCacheSize(cacheSize);
        setMaxFileStoreSize(maxFileBytes);
    }

    @Override
    protected boolean containsStore(String key) {
        return false;
    }
}
