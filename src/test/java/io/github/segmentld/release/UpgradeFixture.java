package io.github.segmentld.release;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * The work folder release 0.1.0 left ({@code src/test/resources/upgrade/work-0.1.0}, see its README.txt), and what
 * the tests of the formats read from it.
 */
public final class UpgradeFixture {

    public static final Path FOLDER = Path.of("src/test/resources/upgrade/work-0.1.0");

    private UpgradeFixture() {
    }

    /** The deflated document of the first parked batch of the fixture's state database, as 0.1.0 stored it. */
    public static byte[] firstParkedDocument() {
        Path db = FOLDER.resolve("state/delivery.db").toAbsolutePath();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?immutable=1");
             Statement sql = c.createStatement();
             ResultSet row = sql.executeQuery("SELECT document FROM parked_batch ORDER BY payload_id LIMIT 1")) {
            if (!row.next()) {
                throw new IllegalStateException("the fixture holds no parked batch");
            }
            return row.getBytes(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A parked document as the state database keeps it: deflated. */
    public static byte[] deflated(String document) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new DeflaterOutputStream(bytes)) {
            out.write(document.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static String inflated(byte[] deflated) {
        try (InputStream in = new InflaterInputStream(new ByteArrayInputStream(deflated))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
