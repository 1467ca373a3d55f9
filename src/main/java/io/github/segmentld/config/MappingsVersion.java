package io.github.segmentld.config;

import java.time.Instant;

/**
 * One version of the destination instances and their mappings: the mappings file as read once, or the single instance
 * of the {@code launchdarkly.*} keys.
 *
 * @param file     the mappings file's bytes and digest; null when no mappings file is named
 * @param loadedAt when this version was read
 */
public record MappingsVersion(DestinationInstances instances, FileVersion file, Instant loadedAt) {

    /** The SHA-256 of the mappings file's bytes; null without a mappings file. */
    public String digest() {
        return file == null ? null : file.digest();
    }
}
