package io.github.segmentld.deliverylog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.launchdarkly.RetryQueue;
import io.github.segmentld.store.ParkedBatches;

/**
 * What waits now, beside the log's history: each destination's retry queue (batches, events, bytes, the age of its
 * oldest failure) and the dead-letter folder (files, bytes, the oldest), which operators replay from.
 */
public class DeliveryQueues {

    private final RetryQueue retryQueue;
    private final Path deadLetterDir;
    private final String deadLetterFolderName;
    private final String deadLetterTopic;
    private final Clock clock;
    private final ObjectMapper mapper = new ObjectMapper();

    /**
     * @param workFolder the folder that holds the inbox, the dead letters and the rest by default: the page names the
     *                   dead-letter folder relative to it
     * @param deadLetterTopic the Kafka topic of the dead letters; null when they are in {@code deadLetterDir}
     */
    public DeliveryQueues(RetryQueue retryQueue, Path workFolder, Path deadLetterDir, String deadLetterTopic,
                          Clock clock) {
        this.retryQueue = retryQueue;
        this.deadLetterDir = deadLetterDir;
        this.deadLetterFolderName = folderName(workFolder, deadLetterDir);
        this.deadLetterTopic = deadLetterTopic;
        this.clock = clock;
    }

    public ObjectNode queues() throws IOException {
        ObjectNode answer = mapper.createObjectNode();
        ArrayNode retryQueues = answer.putArray("retryQueues");
        for (String destination : retryQueue.destinations()) {
            ParkedBatches.Depth depth = retryQueue.depth(destination);
            ObjectNode queue = retryQueues.addObject().put("destination", destination).put("batches", depth.batches())
                    .put("events", depth.events()).put("bytes", depth.bytes());
            if (depth.batches() > 0) {
                queue.put("oldestAgeSeconds", Math.max(0, (clock.millis() - depth.oldestFirstFailedAt()) / 1000));
            }
        }
        if (deadLetterTopic != null) {
            // counted by reading the whole topic: too much for a page that asks every few seconds
            answer.putObject("deadLetters").put("topic", deadLetterTopic);
            return answer;
        }
        long files = 0;
        long bytes = 0;
        long oldest = Long.MAX_VALUE;
        if (Files.isDirectory(deadLetterDir)) {
            try (Stream<Path> letters = Files.list(deadLetterDir)) {
                for (Path letter : (Iterable<Path>) letters::iterator) {
                    BasicFileAttributes attributes = Files.readAttributes(letter, BasicFileAttributes.class);
                    if (attributes.isRegularFile() && !letter.getFileName().toString().startsWith(".")) {
                        files++;
                        bytes += attributes.size();
                        oldest = Math.min(oldest, attributes.lastModifiedTime().toMillis());
                    }
                }
            }
        }
        ObjectNode deadLetters = answer.putObject("deadLetters").put("files", files).put("bytes", bytes)
                .put("folder", deadLetterFolderName);
        if (files > 0) {
            deadLetters.put("oldestAgeSeconds", Math.max(0, (clock.millis() - oldest) / 1000));
        }
        return answer;
    }

    /**
     * A folder as an operator reads it: relative to the work folder ({@code dead-letter/}), the same on every machine
     * and in every container; absolute only when it lies outside the work folder.
     */
    static String folderName(Path workFolder, Path folder) {
        Path work = workFolder.toAbsolutePath().normalize();
        Path absolute = folder.toAbsolutePath().normalize();
        Path shown = absolute.startsWith(work) && !absolute.equals(work) ? work.relativize(absolute) : absolute;
        return shown + "/";
    }
}
