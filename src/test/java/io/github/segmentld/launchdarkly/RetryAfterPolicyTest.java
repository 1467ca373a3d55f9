package io.github.segmentld.launchdarkly;

import static io.github.segmentld.mapping.TransformerFixture.CLOCK;
import static io.github.segmentld.mapping.TransformerFixture.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class RetryAfterPolicyTest {

    private final RetryAfterPolicy policy = new RetryAfterPolicy(600_000, CLOCK);

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
    void setsTheRedeliveryDelayHeaderCappedAtTheMaximum() {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setException(new HttpOperationFailedException("http://x", 429, "Too Many Requests", null,
                Map.of("retry-after", "3600"), ""));

        policy.process(exchange);

        assertThat(exchange.getIn().getHeader(Exchange.REDELIVERY_DELAY)).isEqualTo(600_000L);
    }

    @Test
    void removesAnEarlierDelayWhenTheNewAnswerHasNone() {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, 5000L);
        exchange.setException(new HttpOperationFailedException("http://x", 503, "Unavailable", null, Map.of(), ""));

        policy.process(exchange);

        assertThat(exchange.getIn().getHeaders()).doesNotContainKey(Exchange.REDELIVERY_DELAY);
    }
}
