package io.github.segmentld.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.segmentld.bench.ScaleOutRun.Case;
import io.github.segmentld.bench.ScaleOutRun.Source;
import org.junit.jupiter.api.Test;

class ScaleOutRunTest {

    @Test
    void readsTheRunsKey() {
        assertEquals(new Case(Source.FILE, 1), Case.of("file"));
        assertEquals(new Case(Source.KAFKA, 3), Case.of("3"));
        assertEquals(new Case(Source.JMS, 1), Case.of("jms1"));
        assertEquals(new Case(Source.JMS, 2), Case.of("jms2"));
    }

    @Test
    void refusesARunWithoutInstances() {
        assertThrows(IllegalArgumentException.class, () -> Case.of("0"));
        assertThrows(IllegalArgumentException.class, () -> Case.of("jms0"));
        assertThrows(IllegalArgumentException.class, () -> Case.of("jms"));
        assertThrows(IllegalArgumentException.class, () -> Case.of("kafka"));
    }

    @Test
    void givesEachJmsInstanceAQueueOfItsOwn() {
        ScaleOutRun.Jms jms = new ScaleOutRun.Jms("tcp://127.0.0.1:1", "events", 1, "", null);
        assertEquals("events-1", jms.queue(1));
        assertEquals("events-2", jms.queue(2));
        assertEquals("tcp://127.0.0.1:1", jms.senderUrl());
        assertEquals("tcp://127.0.0.1:1?minLargeMessageSize=1048576", new ScaleOutRun.Jms("tcp://127.0.0.1:1", "events",
                100, "minLargeMessageSize=1048576", null).senderUrl());
    }
}
