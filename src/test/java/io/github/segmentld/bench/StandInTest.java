package io.github.segmentld.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class StandInTest {

    @Test
    void countsTheObjectsOfTheTopLevelArrayNotThoseNestedOrInStrings() {
        String body = "[{\"kind\":\"custom\",\"contextKeys\":{\"user\":\"u-1\"},\"key\":\"a{b\\\"}\"},"
                + "{\"kind\":\"alias\",\"data\":[{\"x\":1}]},{}]";
        assertEquals(3, StandIn.arrayElements(body.getBytes(StandardCharsets.UTF_8)));
        assertEquals(0, StandIn.arrayElements("[]".getBytes(StandardCharsets.UTF_8)));
    }
}
