package io.github.segmentld.config;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A settings file as it was read once: its bytes and their SHA-256. What is parsed is what is digested, so a change
 * made while the file is read is seen by the next look at its digest, never lost between the two.
 *
 * @param digest the SHA-256 of the bytes, in lower-case hex
 */
public record FileVersion(Path path, byte[] content, String digest) {

    /**
     * @param where how messages name the file ("Mappings file mappings.yaml")
     * @param key   the setting that names the file, for a file that is not there
     */
    static FileVersion read(Path path, String where, String key) {
        byte[] content = FileSettings.readBytes(path, where, key);
        return new FileVersion(path, content, sha256(content));
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
