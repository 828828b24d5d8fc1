package dev.baton.proxy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * One case of the edge corpus: the raw bytes a client sends (in one or more writes, maybe followed by a
 * half-close), the statuses it must get in order, whether the proxy then closes the connection, and what the
 * worker must have received. Built with the chained setters below; {@link #toString()} is the case's name.
 */
final class EdgeCase {

    /** What the worker may have received from this case. */
    enum AtWorker {
        /** Not a byte. */
        NOTHING,
        /** Maybe a head and part of a body, then its connection closed; never a whole request. */
        NO_COMPLETE_REQUEST,
        /** Exactly {@link #requests}, whole, in order, and nothing else. */
        THESE_REQUESTS
    }

    /** A request the worker must receive whole: method, target, version and exact body (de-chunked). */
    record Expected(String method, String target, String version, byte[] body) {

        static Expected of(String method, String target, String body) {
            return new Expected(method, target, "HTTP/1.1", body.getBytes(StandardCharsets.ISO_8859_1));
        }

        boolean matches(StrictRequestReader.Request r) {
            return method.equals(r.method()) && target.equals(r.target()) && version.equals(r.version())
                    && Arrays.equals(body, r.body());
        }

        /** The worker's answer to it. */
        String answer() {
            return RecordingWorker.answer(method, target, body);
        }

        @Override
        public String toString() {
            return method + " " + target + " " + version + " body=" + StrictRequestReader.Bytes.show(body);
        }
    }

    final String name;
    final List<byte[]> writes;
    boolean fin;
    List<Integer> statuses = List.of();
    boolean lastMayBeClose;
    boolean closes;
    AtWorker atWorker = AtWorker.NOTHING;
    List<Expected> requests = List.of();

    private EdgeCase(String name, List<byte[]> writes) {
        this.name = name;
        this.writes = writes;
    }

    /** A case sending these pieces, each one write (ISO-8859-1, so any byte can be written as a char). */
    static EdgeCase of(String name, String... writes) {
        return new EdgeCase(name, Arrays.stream(writes).map(w -> w.getBytes(StandardCharsets.ISO_8859_1)).toList());
    }

    /** The client half-closes (shutdownOutput) right after its last write. */
    EdgeCase fin() {
        fin = true;
        return this;
    }

    /** The statuses the client gets, in order. */
    EdgeCase answered(Integer... statuses) {
        this.statuses = List.of(statuses);
        return this;
    }

    /** Instead of its last status, the proxy may just close the connection. */
    EdgeCase orJustClosed() {
        lastMayBeClose = true;
        return this;
    }

    /** After the answers the proxy closes the connection. */
    EdgeCase closed() {
        closes = true;
        return this;
    }

    /** After the answers the connection stays open: another request on it is answered. */
    EdgeCase open() {
        closes = false;
        return this;
    }

    EdgeCase workerGetsNothing() {
        atWorker = AtWorker.NOTHING;
        return this;
    }

    EdgeCase workerGetsNoCompleteRequest() {
        atWorker = AtWorker.NO_COMPLETE_REQUEST;
        return this;
    }

    EdgeCase workerGets(Expected... requests) {
        atWorker = AtWorker.THESE_REQUESTS;
        this.requests = List.of(requests);
        return this;
    }

    @Override
    public String toString() {
        return name;
    }
}
