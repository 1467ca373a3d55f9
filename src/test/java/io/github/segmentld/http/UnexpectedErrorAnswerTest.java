package io.github.segmentld.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;

import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;

/** A defect behind the Tracking API is answered with a JSON 500 that carries nothing of the exchange. */
class UnexpectedErrorAnswerTest extends HttpSourceTestSupport {

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    @Test
    void anUnexpectedFailureIsAJson500WithoutInternalHeaders() throws Exception {
        AdviceWith.adviceWith(context, "ingest-http", route -> route.weaveAddFirst()
                .setHeader("internalDetail", route.constant("secret-detail"))
                .throwException(new IllegalStateException("a defect")));
        context.start();

        HttpResponse<String> response = post("/v1/track", "{\"userId\":\"u\",\"event\":\"E\"}");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).isEqualTo("{\"success\":false,\"message\":\"internal error\"}");
        assertThat(response.headers().map().keySet()).allSatisfy(name ->
                assertThat(name.toLowerCase()).isIn(":status", "content-type", "content-length", "transfer-encoding"));
        assertThat(spooled()).isEmpty();
    }
}
