package dev.baton.supervisor.log;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Cuts the raw output of one worker stream into lines. Each complete line is appended, with {@code \n}, to the
 * stream's {@link RotatingFile} in one write (if it has one: {@code stdout_logfile = "NONE"} has none), then published to the {@link LogHub}, then given to the echo sink.
 *
 * <p>A line ends at {@code \n}; a {@code \r} just before it is dropped. A line longer than {@link #MAX_LINE_BYTES}
 * is cut into pieces of at most that size, each treated as a line; a cut never splits a UTF-8 character, so a piece
 * may be up to 3 bytes shorter. The file gets a line's bytes as they came; the hub gets them decoded as UTF-8, each
 * invalid sequence replaced by U+FFFD.
 *
 * <p>A line's time is taken once, when it ends (or is cut, or the stream closes): the hub gets it as the line's
 * {@link LogLine#timeMillis}, and with {@code stampFile} the file gets it first, {@link LogTime} and a space before
 * the line's bytes in the same write. So each line in the file, each piece of a cut one too, starts with exactly one
 * stamp, the same time {@code baton logs -t} shows.
 *
 * <p>An exception thrown by the echo sink propagates out of {@link #accept} after its line was written and
 * published; the sink stays consistent and the rest of the chunk is left unread.
 *
 * <p>Not thread-safe: one I/O thread feeds one instance. Many instances may share one file and one hub. Memory is
 * at most about {@code 3 * MAX_LINE_BYTES} per instance, whatever the worker prints.
 */
public final class LineSink {

    /** The longest line kept whole; a longer line is cut into pieces of at most this many bytes. */
    public static final int MAX_LINE_BYTES = 16 * 1024;

    private static final int INITIAL_CAPACITY = 256;

    private final String source;
    private final String name;
    private final LogStream stream;
    private final RotatingFile file;
    private final LogHub hub;
    private final Consumer<LogLine> echo;
    private final boolean stampFile;
    private final CharsetDecoder decoder = UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);

    /** The pending line in {@code [0, length)}, one spare byte for the {@code \n}; grows to MAX_LINE_BYTES + 1. */
    private byte[] line = new byte[INITIAL_CAPACITY];
    private int length;
    private CharBuffer chars = CharBuffer.allocate(INITIAL_CAPACITY);
    private final byte[] carry = new byte[3];
    private boolean closed;

    /** A sink whose file gets the workers' bytes only, no stamps. */
    public LineSink(String source, LogStream stream, RotatingFile file, LogHub hub, Consumer<LogLine> echo) {
        this(source, stream, file, hub, echo, false);
    }

    /**
     * @param source    worker label, e.g. {@code web:2}
     * @param echo      also receives every published line (for {@code log_to_stdout}); may be null; must not block
     * @param stampFile start each line in the file with its time ({@code log_timestamps}); the hub's lines are the
     *                  same either way
     */
    public LineSink(String source, LogStream stream, RotatingFile file, LogHub hub, Consumer<LogLine> echo,
                    boolean stampFile) {
        this(source, source, stream, file, hub, echo, stampFile);
    }

    /**
     * @param source    the worker, {@code web:8} (program and number): what targets match
     * @param name      the worker's name shown with its lines ({@code process_name}, {@code web_08})
     * @param file      null when the stream has no file ({@code NONE}): the lines only go to the hub and the echo
     * @param echo      also receives every published line (for {@code log_to_stdout}); may be null; must not block
     * @param stampFile start each line in the file with its time ({@code log_timestamps}); the hub's lines are the
     *                  same either way
     */
    public LineSink(String source, String name, LogStream stream, RotatingFile file, LogHub hub,
                    Consumer<LogLine> echo, boolean stampFile) {
        this.source = Objects.requireNonNull(source, "source");
        this.name = Objects.requireNonNull(name, "name");
        this.stream = Objects.requireNonNull(stream, "stream");
        this.file = file;
        this.hub = Objects.requireNonNull(hub, "hub");
        this.echo = echo;
        this.stampFile = stampFile;
    }

    /** Consumes every remaining byte of {@code chunk}, emitting the lines it completes. */
    public void accept(ByteBuffer chunk) {
        if (closed) {
            throw new IllegalStateException(source + " " + stream + ": line sink is closed");
        }
        while (chunk.hasRemaining()) {
            if (length == MAX_LINE_BYTES) {
                if (chunk.get(chunk.position()) == '\n') {
                    chunk.get();
                    endLine();
                } else {
                    cutLine();
                }
                continue;
            }
            int start = chunk.position();
            int end = Math.min(chunk.limit(), start + MAX_LINE_BYTES - length);
            int newline = indexOfNewline(chunk, start, end);
            append(chunk, (newline < 0 ? end : newline) - start);
            if (newline >= 0) {
                chunk.get();
                endLine();
            }
        }
    }

    /** Emits a pending partial line, if any. Does not close the shared file. Idempotent. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        int n = length;
        length = 0;
        if (n > 0) {
            emit(n);
        }
    }

    /** Bytes held for the pending line; for tests of the memory bound. */
    int bufferCapacity() {
        return line.length;
    }

    private static int indexOfNewline(ByteBuffer chunk, int from, int to) {
        for (int i = from; i < to; i++) {
            if (chunk.get(i) == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void append(ByteBuffer chunk, int n) {
        int needed = length + n + 1;
        if (needed > line.length) {
            byte[] bigger = new byte[Math.min(MAX_LINE_BYTES + 1, Math.max(needed, line.length * 2))];
            System.arraycopy(line, 0, bigger, 0, length);
            line = bigger;
        }
        chunk.get(line, length, n);
        length += n;
    }

    private void endLine() {
        int n = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
        length = 0; // first: an exception from the echo sink must not leave the line pending
        emit(n);
    }

    /** Emits the full buffer as a piece, keeping back the start of a UTF-8 character cut off at its end. */
    private void cutLine() {
        int cut = Utf8.completeLength(line, length);
        int kept = length - cut;
        System.arraycopy(line, cut, carry, 0, kept);
        try {
            emit(cut);
        } finally {
            System.arraycopy(carry, 0, line, 0, kept);
            length = kept;
        }
    }

    /** Writes {@code line[0, n)} and {@code \n}, after its stamp if asked, to the file in one write; publishes it. */
    private void emit(int n) {
        long now = System.currentTimeMillis();
        line[n] = '\n';
        if (file == null) {
            // NONE: memory and echo only
        } else if (stampFile) {
            file.write((LogTime.format(now) + " ").getBytes(US_ASCII), line, 0, n + 1);
        } else {
            file.write(line, 0, n + 1);
        }
        LogLine published = hub.publish(source, name, stream, decode(n), now);
        if (echo != null) {
            echo.accept(published);
        }
    }

    private String decode(int n) {
        if (n == 0) {
            return "";
        }
        // UTF-8 never decodes to more chars than bytes, replacements included, so one pass fits.
        if (chars.capacity() < n) {
            chars = CharBuffer.allocate(Math.min(MAX_LINE_BYTES, Math.max(n, chars.capacity() * 2)));
        }
        chars.clear();
        decoder.reset();
        decoder.decode(ByteBuffer.wrap(line, 0, n), chars, true);
        decoder.flush(chars);
        return chars.flip().toString();
    }
}
