package io.github.segmentld.launchdarkly;

import static io.github.segmentld.mapping.ActionFixture.CLOCK;
import static io.github.segmentld.mapping.ActionFixture.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

    private final RetryAfter policy = new RetryAfter(600_000, CLOCK);

    @Test
    void secondsBecomeMilliseconds() {
        assertThat(policy.retryAfterMillis("7")).isEqualTo(7000L);
        assertThat(policy.retryAfterMillis(" 0 ")).isEqualTo(0L);
    }

    @Test
    void anHttpDateBecomesTheTimeUntilThen() {
        String inThirtySeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(30).atZone(ZoneOffset.UTC));

        assertThat(policy.retryAfterMillis(inThirtySeconds)).isBetween(29_000L, 30_000L);
        assertThat(policy.retryAfterMillis("Sun, 06 Nov 1994 08:49:37 GMT")).isZero();
    }

    @Test
    void absentOrUnreadableValuesLeaveTheBackoffAlone() {
        assertThat(policy.retryAfterMillis(null)).isNull();
        assertThat(policy.retryAfterMillis("soon")).isNull();
    }

    @Test
    void anAnswersWaitIsCappedAtTheMaximum() {
        HttpOperationFailedException answer = new HttpOperationFailedException("http://x", 429, "Too Many Requests", null,
                Map.of("retry-after", "3600"), "");

        assertThat(policy.of(answer)).isEqualTo(600_000L);
    }

    @Test
    void anAnswerWithoutRetryAfterAsksForNoWait() {
        assertThat(policy.of(new HttpOperationFailedException("http://x", 503, "Unavailable", null, Map.of(), ""))).isNull();
    }
}
