package io.github.segmentld.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuCgroupTest {

    @TempDir
    Path controller;

    @Test
    void aGroupCapsItsProcessesAtTheShareOfAHundredMillisecondPeriod() throws IOException {
        Files.writeString(controller.resolve("cpu.cfs_quota_us"), "-1");
        assertNull(CpuCgroup.unusable(controller));
        CpuCgroup group = CpuCgroup.create(controller, "bench-1", 0.4);
        assertEquals("100000", Files.readString(controller.resolve("bench-1/cpu.cfs_period_us")));
        assertEquals("40000", Files.readString(controller.resolve("bench-1/cpu.cfs_quota_us")));
        assertEquals(controller.resolve("bench-1").toString(), group.wrapper().get(3));
    }

    @Test
    void aBenchmarkJoinsAGroupOfItsOwnThatOutweighsTheMachinesOtherProcesses() throws IOException {
        CpuCgroup group = CpuCgroup.joinWeighted(controller, "scale-out-1");
        assertEquals("100000", Files.readString(controller.resolve("scale-out-1/cpu.shares")));
        assertEquals(Long.toString(ProcessHandle.current().pid()),
                Files.readString(controller.resolve("scale-out-1/cgroup.procs")));
        assertEquals(controller.resolve("scale-out-1"), group.dir());
    }

    @Test
    void aFolderWithoutTheControllersFilesIsNoController() {
        assertNotNull(CpuCgroup.unusable(controller));
    }

    @Test
    void aShareMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> CpuCgroup.create(controller, "bench-0", 0));
    }
}
