package io.github.segmentld.contract;

import java.util.concurrent.CountDownLatch;

/**
 * A step of an insert function's route that holds its event until the test releases it (or the function's time limit
 * interrupts it): a slow function whose slowness the test controls, without sleeping.
 */
public class HeldInsertFunction {

    static final CountDownLatch ENTERED = new CountDownLatch(1);
    static final CountDownLatch RELEASE = new CountDownLatch(1);

    public void hold() throws InterruptedException {
        ENTERED.countDown();
        RELEASE.await();
    }
}
