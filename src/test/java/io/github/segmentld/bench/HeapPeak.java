package io.github.segmentld.bench;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The most heap in use at one moment of a run, in bytes, sampled every 10 ms (the pools' own peaks would add up
 * peaks of different moments).
 */
final class HeapPeak {

    private final AtomicLong peak = new AtomicLong();
    private final Thread sampler = new Thread(this::sample, "heap-peak");

    static HeapPeak start() {
        System.gc();
        HeapPeak heapPeak = new HeapPeak();
        heapPeak.sampler.setDaemon(true);
        heapPeak.sampler.start();
        return heapPeak;
    }

    private void sample() {
        while (!Thread.currentThread().isInterrupted()) {
            peak.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    long stop() throws InterruptedException {
        sampler.interrupt();
        sampler.join();
        return peak.get();
    }
}
