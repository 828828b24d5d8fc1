package dev.baton.proxy.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Access log lines. {@link #combined} is the Apache/nginx "combined" format with {@code upstream=} and
 * {@code duration_ms=} appended; {@link #json} is one JSON object per line. Neither output contains a line break.
 */
public final class AccessLogFormat {

    private static final DateTimeFormatter CLF_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US);
    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private AccessLogFormat() {
    }

    /** The combined line in the JVM's default time zone, as nginx logs local time. */
    public static String combined(AccessRecord r) {
        return combined(r, ZoneId.systemDefault());
    }

    /**
     * {@code 203.0.113.7 - - [21/Nov/2026:10:00:00 +0000] "GET /a HTTP/1.1" 200 512 "-" "curl/8.5.0"
     * upstream=web:2 duration_ms=12}. Missing values are "-"; the body byte count is printed even when 0 (as
     * nginx's {@code $body_bytes_sent}). As in nginx, '"', '\', control characters, non-ASCII (as UTF-8 bytes)
     * and, outside quotes, spaces are written as {@code \xHH}, so a field cannot forge another.
     */
    public static String combined(AccessRecord r, ZoneId zone) {
        StringBuilder b = new StringBuilder(160);
        clf(b, r.remoteAddress(), false);
        b.append(" - - [").append(CLF_TIME.format(Instant.ofEpochMilli(r.time()).atZone(zone))).append("] \"");
        clf(b, requestLine(r), true);
        b.append("\" ").append(r.status()).append(' ').append(r.bytesSent()).append(" \"");
        clf(b, r.referer(), true);
        b.append("\" \"");
        clf(b, r.userAgent(), true);
        b.append("\" upstream=");
        clf(b, r.worker(), false);
        return b.append(" duration_ms=").append(r.durationMillis()).toString();
    }

    private static String requestLine(AccessRecord r) {
        if (r.method() == null && r.uri() == null) {
            return null;
        }
        String line = (r.method() == null ? "-" : r.method()) + " " + (r.uri() == null ? "-" : r.uri());
        return r.protocol() == null ? line : line + " " + r.protocol();
    }

    private static void clf(StringBuilder b, String s, boolean quoted) {
        if (s == null || s.isEmpty()) {
            b.append('-');
            return;
        }
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            boolean escape = c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || (!quoted && c == ' ');
            if (escape) {
                b.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else {
                b.append((char) c);
            }
        }
    }

    /**
     * {@code {"time":"2026-11-21T10:00:00.123Z","remote_addr":"203.0.113.7","method":"GET",...}} with keys time,
     * remote_addr, method, uri, protocol, status, bytes_sent, referer, user_agent, program, worker, duration_ms;
     * time in UTC, missing strings as null, strings escaped per RFC 8259 (plus U+2028, U+2029 and lone
     * surrogates as {@code \}u escapes, so the line is valid UTF-8 and safe to embed in JavaScript).
     */
    public static String json(AccessRecord r) {
        StringBuilder b = new StringBuilder(256).append('{');
        field(b, "time", ISO_MILLIS.format(Instant.ofEpochMilli(r.time()))).append(',');
        field(b, "remote_addr", r.remoteAddress()).append(',');
        field(b, "method", r.method()).append(',');
        field(b, "uri", r.uri()).append(',');
        field(b, "protocol", r.protocol()).append(',');
        b.append("\"status\":").append(r.status()).append(',');
        b.append("\"bytes_sent\":").append(r.bytesSent()).append(',');
        field(b, "referer", r.referer()).append(',');
        field(b, "user_agent", r.userAgent()).append(',');
        field(b, "program", r.program()).append(',');
        field(b, "worker", r.worker()).append(',');
        return b.append("\"duration_ms\":").append(r.durationMillis()).append('}').toString();
    }

    private static StringBuilder field(StringBuilder b, String key, String value) {
        b.append('"').append(key).append("\":");
        if (value == null) {
            return b.append("null");
        }
        b.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || lone(value, i)) {
                        unicode(b, c);
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"');
    }

    /** True when the char at {@code i} is a surrogate that is not part of a valid pair. */
    private static boolean lone(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return false;
    }

    private static void unicode(StringBuilder b, char c) {
        b.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf])
                .append(HEX[c & 0xf]);
    }
}
