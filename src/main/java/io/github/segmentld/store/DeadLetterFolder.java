package io.github.segmentld.store;

import java.io.IOException;
import java.nio.file.Path;

import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/**
 * The dead letters of an instance whose dead letters are files: each document is written whole into the folder under
 * its name, forced, and the folder synced, before the batch counts as settled. A batch counted as dead-lettered whose
 * file a power cut then took would be lost: nothing would send it again. {@code kafka.KafkaDeadLetters} is the same on Kafka.
 */
public class DeadLetterFolder {

    private final Path dir;

    public DeadLetterFolder(Path dir) {
        this.dir = dir;
    }

    /** Stores a dead letter's document as {@code <dir>/<name>}, replacing the file of a batch dead-lettered again. */
    public void store(@Header(Exchange.FILE_NAME) String name, @Body byte[] document) throws IOException {
        DurableFiles.write(dir.resolve(name), document);
    }
}
