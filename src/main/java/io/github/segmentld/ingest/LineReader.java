package io.github.segmentld.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads lines as bytes, without decoding them to strings, and with a bound on their length so that a file without
 * line breaks cannot exhaust the heap: the part of an over-long line beyond the bound is skipped, not buffered.
 */
final class LineReader {

    /** How much is read from the stream at a time. */
    static final int BUFFER_BYTES = 64 * 1024;

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private int bufferPos;
    private int bufferEnd;
    private byte[] line = new byte[8 * 1024];
    private int lineLength;
    private boolean truncated;
    private long lineNumber;

    LineReader(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** Reads the next line; false at the end of the input. */
    boolean next() throws IOException {
        lineLength = 0;
        truncated = false;
        boolean sawAnything = false;
        while (true) {
            if (bufferPos == bufferEnd) {
                bufferEnd = in.read(buffer);
                bufferPos = 0;
                if (bufferEnd <= 0) {
                    bufferEnd = 0;
                    if (sawAnything) {
                        lineNumber++;
                    }
                    return sawAnything;
                }
            }
            sawAnything = true;
            int start = bufferPos;
            int newline = -1;
            for (int i = start; i < bufferEnd; i++) {
                if (buffer[i] == '\n') {
                    newline = i;
                    break;
                }
            }
            int end = newline < 0 ? bufferEnd : newline;
            append(start, end - start);
            bufferPos = newline < 0 ? bufferEnd : newline + 1;
            if (newline >= 0) {
                lineNumber++;
                return true;
            }
        }
    }

    private void append(int from, int count) {
        if (truncated) {
            return;
        }
        if (lineLength + count > maxLineBytes) {
            truncated = true;
            return;
        }
        if (lineLength + count > line.length) {
            line = Arrays.copyOf(line, Math.min(maxLineBytes, Math.max(line.length * 2, lineLength + count)));
        }
        System.arraycopy(buffer, from, line, lineLength, count);
        lineLength += count;
    }

    byte[] bytes() {
        return line;
    }

    /** The length of the current line, without its line break (a trailing carriage return is dropped too). */
    int length() {
        return lineLength > 0 && line[lineLength - 1] == '\r' ? lineLength - 1 : lineLength;
    }

    /** Whether the current line was longer than the bound (its content is then incomplete). */
    boolean truncated() {
        return truncated;
    }

    /** The current line's number, from 1. */
    long lineNumber() {
        return lineNumber;
    }
}
