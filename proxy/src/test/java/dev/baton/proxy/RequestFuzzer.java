package dev.baton.proxy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeSet;

/**
 * Generates the cases of {@link RequestFuzzTest}: 1 to 3 pipelined requests, valid but varied (header name case,
 * whitespace around values, Content-Length or chunked, chunk sizes, hex case, leading zeros, extensions,
 * trailers), at most one of them mutated into something a proxy must refuse, the whole split at random points
 * into several writes. Each request carries a unique id in its target and at the start of its body. A case is a
 * pure function of (seed, index), so a failure can be replayed alone.
 */
final class RequestFuzzer {

    /** What a mutation does to a request. */
    enum Mutation {
        NONE, BAD_HEADER_BYTE, BAD_CONTENT_LENGTH, BAD_TRANSFER_ENCODING, BROKEN_CHUNK,
        /** Content-Length shorter than the bytes that follow: the rest is junk that cannot be a request. */
        SHORT_CONTENT_LENGTH,
        /** Content-Length longer than the body, nothing after: only a timeout can end it. */
        LONG_CONTENT_LENGTH
    }

    /**
     * One request on the wire (or the junk after a short Content-Length), in wire order. {@code served}: a strict
     * server answers it and its worker gets exactly (method, target, body); otherwise it must be refused with a
     * 4xx and the connection closed, and the worker never gets it whole.
     */
    record Sent(String method, String target, byte[] body, boolean served, Mutation mutation, String detail) {
        @Override
        public String toString() {
            return (served ? "served " : "refused ") + method + " " + target + " (" + body.length + " body bytes"
                    + (mutation == Mutation.NONE ? "" : ", " + mutation + ": " + detail) + ")";
        }
    }

    /** A generated case: its requests in wire order and the writes that carry them. */
    record Case(long seed, int index, List<Sent> sent, List<byte[]> writes, Mutation mutation) {

        /** The position of the first request that must be refused, or the number of requests when none. */
        int firstRefused() {
            for (int i = 0; i < sent.size(); i++) {
                if (!sent.get(i).served()) {
                    return i;
                }
            }
            return sent.size();
        }

        byte[] wire() {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            writes.forEach(all::writeBytes);
            return all.toByteArray();
        }

        /** Where the writes were split, for messages. */
        List<Integer> splits() {
            List<Integer> at = new ArrayList<>();
            int n = 0;
            for (byte[] w : writes.subList(0, writes.size() - 1)) {
                at.add(n += w.length);
            }
            return at;
        }
    }

    private static final String[] EXTENSIONS = {";a=b", ";flag", " ;q=\"v w\"", ";a=b;c=d", "\t;x=1"};
    /** Each formatted with the body's length twice. Not "5, 5": RFC 9110 section 8.6 lets a recipient take it. */
    private static final String[] BAD_LENGTHS = {"-%d", "+%d", "%d, 1%d", "0x%x", "%d.0", "%d abc"};
    private static final String[] BAD_CODINGS = {"xchunked", "chunked, identity", "gzip, chunked", "identity",
        "chunked;q=1"};

    private final Random r;
    private final int index;

    private RequestFuzzer(long seed, int index) {
        this.r = new Random(seed * 0x9E3779B97F4A7C15L + index);
        this.index = index;
    }

    static Case generate(long seed, int index) {
        return new RequestFuzzer(seed, index).generate(seed);
    }

    private Case generate(long seed) {
        int n = 1 + r.nextInt(3);
        int mutated = r.nextInt(100) < 35 ? r.nextInt(n) : -1;
        Mutation mutation = mutated < 0 ? Mutation.NONE : pickMutation();
        if (mutation == Mutation.LONG_CONTENT_LENGTH) {
            n = mutated + 1; // nothing may follow: its missing bytes would be taken from the next request
        }
        List<Sent> sent = new ArrayList<>();
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (int j = 0; j < n; j++) {
            request(j, j == mutated ? mutation : Mutation.NONE, sent, wire);
        }
        return new Case(seed, index, sent, split(wire.toByteArray()), mutation);
    }

    private Mutation pickMutation() {
        int p = r.nextInt(100);
        return p < 25 ? Mutation.BAD_HEADER_BYTE : p < 40 ? Mutation.BAD_CONTENT_LENGTH
                : p < 50 ? Mutation.BAD_TRANSFER_ENCODING : p < 80 ? Mutation.BROKEN_CHUNK
                : p < 92 ? Mutation.SHORT_CONTENT_LENGTH : Mutation.LONG_CONTENT_LENGTH;
    }

    private void request(int j, Mutation m, List<Sent> sent, ByteArrayOutputStream wire) {
        String id = "c" + index + "r" + j + "-" + Integer.toHexString(r.nextInt(1 << 20));
        boolean chunked = m == Mutation.BROKEN_CHUNK || m == Mutation.BAD_TRANSFER_ENCODING
                || m == Mutation.NONE && r.nextBoolean();
        boolean needsLength = m == Mutation.BAD_CONTENT_LENGTH || m == Mutation.SHORT_CONTENT_LENGTH
                || m == Mutation.LONG_CONTENT_LENGTH;
        boolean hasBody = chunked || needsLength || r.nextInt(100) < 60;
        String method = hasBody ? (r.nextBoolean() ? "POST" : "PUT") : "GET";
        String target = "/fz/" + id + (r.nextBoolean() ? "?x=" + r.nextInt(1000) : "");
        byte[] body = hasBody ? body(id) : new byte[0];
        StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
        List<String[]> headers = new ArrayList<>();
        headers.add(new String[] {"Host", "fuzz.test"});
        headers.add(new String[] {"X-Id", id});
        for (int k = r.nextInt(3); k > 0; k--) {
            headers.add(new String[] {"X-Fz-" + k, "v" + r.nextInt(1000) + (r.nextBoolean() ? " with spaces" : "")});
        }
        String detail = "";
        if (m == Mutation.BAD_HEADER_BYTE) {
            detail = badHeader(headers);
        }
        if (chunked) {
            String coding = new String[] {"chunked", "Chunked", "CHUNKED"}[r.nextInt(3)];
            if (m == Mutation.BAD_TRANSFER_ENCODING) {
                coding = detail = BAD_CODINGS[r.nextInt(BAD_CODINGS.length)];
            }
            headers.add(new String[] {"Transfer-Encoding", coding});
        } else if (needsLength || hasBody || r.nextInt(4) == 0) {
            String length = (r.nextInt(10) == 0 ? "00" : "") + body.length;
            if (m == Mutation.BAD_CONTENT_LENGTH) {
                length = detail = String.format(Locale.ROOT, BAD_LENGTHS[r.nextInt(BAD_LENGTHS.length)], body.length,
                        body.length);
            } else if (m == Mutation.LONG_CONTENT_LENGTH) {
                length = detail = Integer.toString(body.length + 1 + r.nextInt(10));
            }
            headers.add(new String[] {"Content-Length", length});
        }
        java.util.Collections.shuffle(headers.subList(1, headers.size()), r);
        for (String[] h : headers) {
            head.append(nameCase(h[0])).append(':').append(ows()).append(h[1]).append(ows()).append("\r\n");
        }
        head.append("\r\n");
        wire.writeBytes(latin1(head.toString()));
        if (chunked) {
            String[] broken = {""};
            wire.writeBytes(chunks(body, m == Mutation.BROKEN_CHUNK, broken));
            detail = m == Mutation.BROKEN_CHUNK ? broken[0] : detail;
        } else {
            wire.writeBytes(body);
        }
        boolean served = m == Mutation.NONE || m == Mutation.SHORT_CONTENT_LENGTH;
        sent.add(new Sent(method, target, body, served, m, detail));
        if (m == Mutation.SHORT_CONTENT_LENGTH) {
            byte[] junk = latin1("zz\0zz\r\n");
            wire.writeBytes(junk);
            sent.add(new Sent("-", "-", junk, false, m, "junk after the body"));
        }
    }

    /** The id, then 0 to 200 random bytes of any value. */
    private byte[] body(String id) {
        byte[] tail = new byte[r.nextInt(201)];
        r.nextBytes(tail);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(latin1(id + ":"));
        b.writeBytes(tail);
        return b.toByteArray();
    }

    /** Breaks one X- header with a byte or a shape no field line may have; answers what it did. */
    private String badHeader(List<String[]> headers) {
        String[] h = headers.get(1 + r.nextInt(headers.size() - 1));
        String[] values = {"\0", "\r", "\n", "\r\n folded"};
        String[] names = {" ", "(", "\"", "\0", ""};
        if (r.nextBoolean()) {
            String bad = values[r.nextInt(values.length)];
            h[1] = h[1].substring(0, 1) + bad + h[1].substring(1);
            return "value " + StrictRequestReader.Bytes.show(h[1]);
        }
        String bad = names[r.nextInt(names.length)];
        h[0] = bad.isEmpty() ? "" : h[0].substring(0, 2) + bad + h[0].substring(2);
        return "name " + StrictRequestReader.Bytes.show(h[0]);
    }

    /** The body in chunks of random sizes; when {@code broken}, one chunk is malformed (said in {@code how[0]}). */
    private byte[] chunks(byte[] body, boolean broken, String[] how) {
        List<byte[]> pieces = new ArrayList<>();
        for (int pos = 0; pos < body.length; ) {
            int size = 1 + r.nextInt(Math.min(body.length - pos, r.nextBoolean() ? 8 : 200));
            pieces.add(Arrays.copyOfRange(body, pos, pos + size));
            pos += size;
        }
        int bad = broken ? r.nextInt(pieces.size()) : -1;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < pieces.size(); i++) {
            byte[] data = pieces.get(i);
            String size = Integer.toHexString(data.length);
            size = (r.nextBoolean() ? size : size.toUpperCase(Locale.ROOT));
            size = (r.nextInt(5) == 0 ? "00" : "") + size + (r.nextInt(4) == 0 ? ext() : "");
            String line = size + "\r\n";
            String after = "\r\n";
            if (i == bad) {
                String hex = Integer.toHexString(data.length);
                String[][] variants = {{"zz\r\n", "size zz"}, {"-" + hex + "\r\n", "negative size"},
                    {"0x" + hex + "\r\n", "0x size"}, {"ffffffffffffffffff\r\n", "size overflowing"},
                    {hex + "\n", "bare LF after the size"}, {hex + ";a=\0\r\n", "NUL in an extension"},
                    {hex + ";a=\rb\r\n", "CR in an extension"}, {hex + "\r\n", "data longer than the size"},
                    {hex + "\r\n", "bare LF after the data"}};
                int v = r.nextInt(variants.length);
                line = variants[v][0];
                how[0] = variants[v][1] + " in chunk " + i;
                after = v == 7 ? "XX\r\n" : v == 8 ? "\n" : after;
            }
            out.writeBytes(latin1(line));
            out.writeBytes(data);
            out.writeBytes(latin1(after));
        }
        out.writeBytes(latin1((r.nextBoolean() ? "0" : "000") + (r.nextInt(4) == 0 ? ext() : "") + "\r\n"));
        if (r.nextInt(3) == 0) {
            out.writeBytes(latin1(nameCase("X-Trailer") + ":" + ows() + "t" + r.nextInt(100) + ows() + "\r\n"));
        }
        out.writeBytes(latin1("\r\n"));
        return out.toByteArray();
    }

    private String ext() {
        return EXTENSIONS[r.nextInt(EXTENSIONS.length)];
    }

    /** Optional whitespace: none mostly, else spaces and tabs. */
    private String ows() {
        return new String[] {"", "", " ", "\t", "  ", " \t"}[r.nextInt(6)];
    }

    private String nameCase(String name) {
        return switch (r.nextInt(4)) {
            case 0 -> name.toLowerCase(Locale.ROOT);
            case 1 -> name.toUpperCase(Locale.ROOT);
            case 2 -> {
                StringBuilder b = new StringBuilder();
                for (char c : name.toCharArray()) {
                    b.append(r.nextBoolean() ? Character.toUpperCase(c) : Character.toLowerCase(c));
                }
                yield b.toString();
            }
            default -> name;
        };
    }

    /** The bytes cut at 0 to 4 random points. */
    private List<byte[]> split(byte[] all) {
        TreeSet<Integer> cuts = new TreeSet<>();
        for (int k = r.nextInt(5); k > 0 && all.length > 1; k--) {
            cuts.add(1 + r.nextInt(all.length - 1));
        }
        List<byte[]> writes = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            writes.add(Arrays.copyOfRange(all, from, cut));
            from = cut;
        }
        writes.add(Arrays.copyOfRange(all, from, all.length));
        return writes;
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
