package io.github.segmentld.deliverylog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** The delivery page names a folder as an operator finds it: relative to the work folder, absolute only outside it. */
class DeliveryQueuesFolderNameTest {

    @Test
    void aFolderInsideTheWorkFolderIsNamedRelativeToIt() {
        assertThat(DeliveryQueues.folderName(Path.of("/srv/app/work"), Path.of("/srv/app/work/dead-letter")))
                .isEqualTo("dead-letter/");
        assertThat(DeliveryQueues.folderName(Path.of("/srv/app/work/inbox/.."), Path.of("/srv/app/work/a/../letters")))
                .isEqualTo("letters/");
    }

    @Test
    void aFolderOutsideTheWorkFolderKeepsItsAbsolutePath() {
        assertThat(DeliveryQueues.folderName(Path.of("/srv/app/work"), Path.of("/data/dead-letter")))
                .isEqualTo("/data/dead-letter/");
        assertThat(DeliveryQueues.folderName(Path.of("/srv/app/work"), Path.of("/srv/app/work-2/dead-letter")))
                .isEqualTo("/srv/app/work-2/dead-letter/");
    }
}
