package io.github.segmentld.ingest;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What identifies a dropped file across reads: the SHA-256 of its whole content, as it lies on disk (compressed or
 * not). Chunk keys and payload IDs are derived from it, so a copy, a rename or a {@code touch} of a file that was
 * delivered is the same input, whose settled chunks are skipped and whose other batches keep their payload IDs; two
 * files that differ in any byte are different inputs.
 * <p>
 * The digest covers the whole file, read once before the first chunk: a chunk's payload ID must be known before its
 * batch is sent, so a digest computed while reading could only cover the content up to that chunk, and two files
 * sharing their first chunks (a file with events appended, or corrected near its end) would share those chunks'
 * payload IDs. LaunchDarkly would then drop the second file's batches for them, whether or not the events are the
 * same ones. Sampling parts of the file is out for the same reason.
 * <p>
 * A file the replay copied from the done folder into the inbox is named {@code replay-<epoch millis>-<name>}: that
 * mark is part of its identity, so the operator's replay sends a delivered file again, under new payload IDs, and
 * only once per replay.
 * <p>
 * The release before identified a file by its name, length and modification time. A file read in part under that
 * identity before an upgrade keeps it, so that what was delivered of it is neither sent again nor under new payload
 * IDs.
 */
public class InputIdentities {

    private static final String CONTENT_PREFIX = "sha256:";
    private static final int READ_BUFFER = 1024 * 1024;
    private static final Pattern REPLAY_NAME = Pattern.compile("(replay-[0-9]+)-(.+)", Pattern.DOTALL);

    private final Predicate<String> recordedUnderLegacyId;

    /** @param recordedUnderLegacyId whether the state database holds records of an input under an id of the release before */
    public InputIdentities(Predicate<String> recordedUnderLegacyId) {
        this.recordedUnderLegacyId = recordedUnderLegacyId;
    }

    /** The identity of a file that is not a symbolic link. */
    public String of(File file) throws IOException {
        String legacy = legacyId(file);
        if (recordedUnderLegacyId.test(legacy)) {
            return legacy;
        }
        Matcher replay = REPLAY_NAME.matcher(file.getName());
        return CONTENT_PREFIX + contentDigest(file) + (replay.matches() ? "/" + replay.group(1) : "");
    }

    /** The name of a replay, at {@code replayedAt}, of the file named {@code name} (itself a replay or not). */
    public static String replayName(String name, long replayedAt) {
        Matcher earlier = REPLAY_NAME.matcher(name);
        return "replay-" + replayedAt + "-" + (earlier.matches() ? earlier.group(2) : name);
    }

    /** The identity the release before gave a file: its name, length and modification time. */
    static String legacyId(File file) {
        return file.getName() + "|" + file.length() + "|" + file.lastModified();
    }

    private static String contentDigest(File file) throws IOException {
        MessageDigest sha256 = sha256();
        ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER);
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            while (channel.read(buffer) != -1) {
                buffer.flip();
                sha256.update(buffer);
                buffer.clear();
            }
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
