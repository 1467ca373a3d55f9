package io.github.segmentld.server;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;

class OperatorAccessTest {

    private final OperatorAccess access = new OperatorAccess("s3cret-token");

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theTokenIsTakenAsABearerTokenOrAsABasicPassword() {
        assertThatCode(() -> access.check("Bearer s3cret-token")).doesNotThrowAnyException();
        assertThatCode(() -> access.check("bearer  s3cret-token ")).doesNotThrowAnyException();
        assertThatCode(() -> access.check(basic("anyone", "s3cret-token"))).doesNotThrowAnyException();
    }

    @Test
    void aRequestWithoutTheTokenIsDenied() {
        for (String wrong : new String[] {null, "", "Bearer s3cret", "Bearer s3cret-token-and-more", "s3cret-token",
            basic("s3cret-token", "x"), "Basic not-base64!", "Digest s3cret-token"}) {
            assertThatThrownBy(() -> access.check(wrong)).as(String.valueOf(wrong))
                    .isInstanceOf(OperatorAccess.Denied.class);
        }
    }

    @Test
    void withoutATokenEveryRequestMayPass() {
        assertThatCode(() -> new OperatorAccess("").check(null)).doesNotThrowAnyException();
        assertThatCode(() -> new OperatorAccess(null).check("Bearer anything")).doesNotThrowAnyException();
    }
}
