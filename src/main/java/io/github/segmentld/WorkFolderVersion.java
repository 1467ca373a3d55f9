package io.github.segmentld;

import java.nio.file.Path;

import io.github.segmentld.store.NewerStateException;
import io.github.segmentld.store.StateSchema;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;

/**
 * Refuses a work folder written by a newer release before anything is configured, so before anything writes into it:
 * the state database's schema version stands for the folder's, and a newer one stops the start with one line naming
 * both versions ({@link NewerStateException}).
 */
public final class WorkFolderVersion extends MainListenerSupport {

    /** The exit status then: EX_DATAERR of sysexits.h, the data on disk is not this release's to read. */
    public static final int EXIT_CODE = 65;

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        main.getCamelContext().getPropertiesComponent().resolveProperty("store.ledger-file")
                .ifPresent(file -> StateSchema.refuseNewer(Path.of(file)));
    }
}
