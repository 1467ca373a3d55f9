package io.github.segmentld.faults;

/** Throws what an exhausted heap throws, for {@code test-routes/out-of-memory.yaml}. */
public class SimulatedOutOfMemory {

    public void run() {
        throw new OutOfMemoryError("simulated");
    }
}
