package io.github.segmentld.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A client that writes raw bytes to the server, as one that never finishes its request does. */
final class RawConnection implements AutoCloseable {

    /** Bounds each read, so that a connection the server keeps open fails the test instead of hanging it. */
    private static final int READ_BOUND_MILLIS = 20_000;

    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)content-length: *([0-9]+)");

    private final Socket socket;

    RawConnection(int port) {
        try {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(READ_BOUND_MILLIS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    RawConnection send(String text) {
        try {
            socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Everything the server writes until it closes the connection (a reset counts as closed). */
    String readUntilClosed() {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try {
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                received.write(buffer, 0, n);
            }
        } catch (SocketException reset) {
            // the server closed a connection with unread input: the same to the client
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return received.toString(StandardCharsets.US_ASCII);
    }

    /** The head of one answer on a kept-alive connection, its body (by length or chunked) read and left out. */
    String readHead() {
        StringBuilder head = new StringBuilder();
        try {
            InputStream in = socket.getInputStream();
            while (head.indexOf("\r\n\r\n") < 0) {
                int c = in.read();
                if (c < 0) {
                    throw new IllegalStateException("The server closed the connection after: " + head);
                }
                head.append((char) c);
            }
            Matcher length = CONTENT_LENGTH.matcher(head);
            if (length.find()) {
                in.readNBytes(Integer.parseInt(length.group(1)));
            } else if (head.toString().toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
                // small answers: read up to the last chunk, whatever the chunks before
                StringBuilder body = new StringBuilder();
                while (!body.toString().endsWith("\r\n0\r\n\r\n")) {
                    int c = in.read();
                    if (c < 0) {
                        throw new IllegalStateException("The server closed the connection in an answer: " + head + body);
                    }
                    body.append((char) c);
                }
            }
            return head.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
