package dev.baton.proxy.internal;

import io.netty.buffer.ByteBuf;

/**
 * Scans the raw bytes of one request head (request line, header lines, empty line) for line-structure defects
 * that Netty's decoder would accept or repair: obs-fold, whitespace before the first header, bare CR, bare LF
 * and NUL. It is fed the head in any number of pieces and stops at the empty line; {@link #reset()} arms it for
 * the next head. Bytes before the request line that the decoder skips (CR, LF, other control characters and
 * spaces, RFC 9112 section 2.2) are skipped here too and do not count as the start of a head.
 */
final class HeadScanner {

    private enum Where { LEADING, REQUEST_LINE, LINE_START, IN_LINE, END, DONE }

    private Where where = Where.LEADING;
    private boolean afterCr;
    private int headerLines;

    void reset() {
        where = Where.LEADING;
        afterCr = false;
        headerLines = 0;
    }

    /** True once a byte of the request line was seen. */
    boolean started() {
        return where != Where.LEADING;
    }

    /** True once the empty line that ends the head was seen. */
    boolean done() {
        return where == Where.DONE;
    }

    /** Scans {@code buf} bytes {@code [from, to)}; a short reason when the head is malformed, else null. */
    String scan(ByteBuf buf, int from, int to) {
        for (int i = from; i < to && where != Where.DONE; i++) {
            String bad = step(buf.getByte(i));
            if (bad != null) {
                return bad;
            }
        }
        return null;
    }

    /** True for a byte the decoder skips before a request line. */
    static boolean skippedBeforeRequestLine(byte b) {
        return b >= 0 && b <= ' ' || b == 0x7f;
    }

    private String step(byte b) {
        if (where == Where.LEADING) {
            if (skippedBeforeRequestLine(b)) {
                return null;
            }
            where = Where.REQUEST_LINE;
        }
        if (afterCr) {
            afterCr = false;
            if (b != '\n') {
                return "bare CR in the request head (RFC 9112 section 2.2)";
            }
            where = where == Where.END ? Where.DONE : Where.LINE_START;
            return null;
        }
        if (b == '\r') {
            afterCr = true;
            if (where == Where.LINE_START) {
                where = Where.END;
            }
            return null;
        }
        if (b == '\n') {
            return "bare LF in the request head (RFC 9112 section 2.2)";
        }
        if (b == 0) {
            return "NUL in the request head";
        }
        if (where == Where.REQUEST_LINE && ((b & 0xff) < 0x20 || b == 0x7f)) {
            return "control character in the request line (RFC 9112 section 3)";
        }
        if (where == Where.LINE_START) {
            if (b == ' ' || b == '\t') {
                return headerLines == 0
                        ? "whitespace before the first header field (RFC 9112 section 2.2)"
                        : "obs-fold line folding in a header (RFC 9112 section 5.2)";
            }
            headerLines++;
            where = Where.IN_LINE;
        }
        return null;
    }
}
