package io.github.segmentld.faults;

import io.github.segmentld.ChildApplication;
import io.github.segmentld.CountingStandIn;
import org.junit.jupiter.api.AfterEach;

/** A test of one application in a JVM of its own, delivering to a counting LaunchDarkly stand-in; both stop after it. */
abstract class ChildApplicationTestSupport {

    protected final CountingStandIn launchDarkly = new CountingStandIn();
    /** The application, once the test started it. */
    protected Process application;

    @AfterEach
    void stopApplicationAndStandIn() throws InterruptedException {
        if (application != null) {
            ChildApplication.kill(application);
        }
        launchDarkly.close();
    }
}
