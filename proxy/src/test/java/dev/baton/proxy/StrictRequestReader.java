package dev.baton.proxy;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads HTTP/1.1 requests from a stream the strict way (RFC 9112, no leniency at all): request line, header
 * fields, a Content-Length or chunked body with trailers. The bytes of the request being read (its first
 * {@link #MAX_PENDING}) are also kept in {@link #pending()}, so a connection that ends in the middle of a request
 * can say what it got. A request that breaks the grammar throws {@link Malformed}; a stream that ends within one
 * throws {@link EOFException}. {@link RecordingWorker}'s parser.
 */
final class StrictRequestReader {

    /** A request that breaks RFC 9112; the message is the reason. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String reason) {
            super(reason);
        }
    }

    /** One header or trailer field, as received (the value without its surrounding whitespace). */
    record Field(String name, String value) {
    }

    /** A whole request: its body de-chunked. */
    record Request(String method, String target, String version, List<Field> headers, byte[] body,
                   List<Field> trailers) {

        /** The values of header {@code name} (case-insensitive). */
        List<String> header(String name) {
            return headers.stream().filter(f -> f.name().equalsIgnoreCase(name)).map(Field::value).toList();
        }

        @Override
        public String toString() {
            return method + " " + target + " " + version + " body=" + Bytes.show(body);
        }
    }

    static final int MAX_LINE = 64 * 1024;
    static final long MAX_CHUNK = 64L * 1024 * 1024;
    static final int MAX_PENDING = 64 * 1024;
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");
    private static final Pattern VERSION = Pattern.compile("HTTP/[0-9]\\.[0-9]");
    private static final Pattern CHUNK_EXT = Pattern.compile(
            "([ \\t]*;[ \\t]*" + TOKEN + "([ \\t]*=[ \\t]*(" + TOKEN + "|\"([\\t !#-\\[\\]-~]|\\\\[\\t -~])*\"))?)*");

    private final InputStream in;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private volatile boolean whole;

    StrictRequestReader(InputStream in) {
        this.in = in;
    }

    /** The first bytes of the request being read (all of it once it is whole, until the next one starts). */
    byte[] pending() {
        return pending.toByteArray();
    }

    /** True while some bytes of an unfinished request were read (any thread). */
    boolean started() {
        return !whole && pending.size() > 0;
    }

    /**
     * The head of the next request, or null when the stream ends cleanly before its first byte. Call
     * {@link #body(Request)} next.
     */
    Request head() throws IOException, Malformed {
        pending.reset();
        whole = false;
        int first = in.read();
        if (first < 0) {
            return null;
        }
        pending.write(first);
        String line = line(first);
        String[] parts = line.split(" ", -1);
        if (parts.length != 3 || !TOKEN.matcher(parts[0]).matches() || parts[1].isEmpty()
                || !parts[1].chars().allMatch(c -> c > 0x20 && c < 0x7f) || !VERSION.matcher(parts[2]).matches()) {
            throw new Malformed("bad request line: " + Bytes.show(line));
        }
        return new Request(parts[0], parts[1], parts[2], fields(), new byte[0], List.of());
    }

    /** The request with its body and trailers, read as its head's framing says. */
    Request body(Request head) throws IOException, Malformed {
        List<String> te = head.header("Transfer-Encoding");
        List<String> cl = head.header("Content-Length");
        if (!te.isEmpty()) {
            if (!cl.isEmpty() || te.size() != 1 || !te.get(0).equalsIgnoreCase("chunked")) {
                throw new Malformed("bad framing: Transfer-Encoding " + te + ", Content-Length " + cl);
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (long size = chunkSize(); size > 0; size = chunkSize()) {
                body.write(exactly(size));
                if (read() != '\r' || read() != '\n') {
                    throw new Malformed("chunk data not followed by CRLF");
                }
            }
            List<Field> trailers = fields();
            whole = true;
            return new Request(head.method(), head.target(), head.version(), head.headers(), body.toByteArray(),
                    trailers);
        }
        if (cl.size() > 1 || cl.size() == 1 && !cl.get(0).matches("[0-9]{1,18}")) {
            throw new Malformed("bad Content-Length " + cl);
        }
        if (!cl.isEmpty() && Long.parseLong(cl.get(0)) > MAX_CHUNK) {
            throw new Malformed("Content-Length " + cl.get(0) + " is more than this test worker takes");
        }
        byte[] body = cl.isEmpty() ? new byte[0] : exactly(Long.parseLong(cl.get(0)));
        whole = true;
        return new Request(head.method(), head.target(), head.version(), head.headers(), body, List.of());
    }

    private long chunkSize() throws IOException, Malformed {
        String line = line(read());
        int end = 0;
        while (end < line.length() && Character.digit(line.charAt(end), 16) >= 0) {
            end++;
        }
        if (end == 0 || !CHUNK_EXT.matcher(line.substring(end)).matches()) {
            throw new Malformed("bad chunk-size line: " + Bytes.show(line));
        }
        String hex = line.substring(0, end).replaceFirst("^0+(?=.)", "");
        if (hex.length() > 8 || Long.parseLong(hex, 16) > MAX_CHUNK) {
            throw new Malformed("chunk too large: " + Bytes.show(line));
        }
        return Long.parseLong(hex, 16);
    }

    /** Header (or trailer) fields up to the empty line. */
    private List<Field> fields() throws IOException, Malformed {
        List<Field> fields = new ArrayList<>();
        for (String line = line(read()); !line.isEmpty(); line = line(read())) {
            int colon = line.indexOf(':');
            if (colon <= 0 || !TOKEN.matcher(line.substring(0, colon)).matches()) {
                throw new Malformed("bad field line: " + Bytes.show(line));
            }
            String value = line.substring(colon + 1).replaceAll("^[ \\t]+|[ \\t]+$", "");
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c < 0x20 && c != '\t' || c == 0x7f) {
                    throw new Malformed("control character in field: " + Bytes.show(line));
                }
            }
            fields.add(new Field(line.substring(0, colon), value));
        }
        return fields;
    }

    /** A line starting with byte {@code b}, without its CRLF; a bare CR, bare LF or NUL is malformed. */
    private String line(int b) throws IOException, Malformed {
        StringBuilder s = new StringBuilder();
        for (int c = b; ; c = read()) {
            if (c == '\r') {
                if (read() != '\n') {
                    throw new Malformed("bare CR after: " + Bytes.show(s.toString()));
                }
                return s.toString();
            }
            if (c == '\n' || c == 0) {
                throw new Malformed((c == 0 ? "NUL" : "bare LF") + " after: " + Bytes.show(s.toString()));
            }
            if (s.length() >= MAX_LINE) {
                throw new Malformed("line longer than " + MAX_LINE);
            }
            s.append((char) c);
        }
    }

    private byte[] exactly(long n) throws IOException {
        byte[] data = in.readNBytes((int) n);
        pending.write(data, 0, Math.min(data.length, Math.max(0, MAX_PENDING - pending.size())));
        if (data.length < n) {
            throw new EOFException("body ended after " + data.length + " of " + n + " bytes");
        }
        return data;
    }

    private int read() throws IOException {
        int c = in.read();
        if (c < 0) {
            throw new EOFException("stream ended within a request");
        }
        if (pending.size() < MAX_PENDING) {
            pending.write(c);
        }
        return c;
    }

    /** Printable renderings of raw bytes, for messages. */
    static final class Bytes {
        private Bytes() {
        }

        static String show(byte[] b) {
            return show(b, 300);
        }

        static String show(byte[] b, int max) {
            return show(new String(b, StandardCharsets.ISO_8859_1), max);
        }

        static String show(String s) {
            return show(s, 300);
        }

        /** At most {@code max} characters, quoted, with CR, LF, NUL and other controls escaped. */
        static String show(String s, int max) {
            StringBuilder b = new StringBuilder("\"");
            for (int i = 0; i < s.length() && i < max; i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '\r' -> b.append("\\r");
                    case '\n' -> b.append("\\n");
                    case '\t' -> b.append("\\t");
                    case '"', '\\' -> b.append('\\').append(c);
                    default -> b.append(c < 0x20 || c >= 0x7f ? String.format(Locale.ROOT, "\\x%02x", (int) c)
                            : String.valueOf(c));
                }
            }
            return b.append(s.length() > max ? "\"... (" + s.length() + " chars)" : "\"").toString();
        }
    }
}
