package dev.baton.proxy;

import dev.baton.proxy.RecordingWorker.Broken;
import dev.baton.proxy.RecordingWorker.Cut;
import dev.baton.proxy.RecordingWorker.Event;
import dev.baton.proxy.RecordingWorker.Received;
import dev.baton.proxy.RequestFuzzer.Case;
import dev.baton.proxy.RequestFuzzer.Mutation;
import dev.baton.proxy.RequestFuzzer.Sent;
import dev.baton.proxy.StrictRequestReader.Bytes;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random mutations of valid pipelined requests ({@link RequestFuzzer}) through a real proxy to a
 * {@link RecordingWorker}. Each response must be the worker's 200 for the request at its position, in order, or
 * a 4xx for a mutated request after which the connection closes; every request the worker got whole must be
 * exactly one the client sent and the proxy had to let through (no truncated, merged or smuggled request: no
 * desync); a refused request never reaches the worker whole, nor anything after it.
 *
 * <p>{@code -Dfuzz.cases=N} (default 300), {@code -Dfuzz.seed=S} (default random; printed), {@code -Dfuzz.only=I}
 * replays case I of seed S alone. The run stops early after {@link #BUDGET} or {@link #MAX_FAILURES} failing
 * cases, and says so.
 */
class RequestFuzzTest {

    static final Duration BUDGET = Duration.ofSeconds(45);
    static final int MAX_FAILURES = 5;

    @Test
    void mutatedPipelinesAreServedInOrderOrRefusedAndNeverDesyncTheWorker() throws IOException {
        long seed = Long.getLong("fuzz.seed", new Random().nextLong());
        int cases = Integer.getInteger("fuzz.cases", 300);
        Integer only = Integer.getInteger("fuzz.only");
        int from = only == null ? 0 : only;
        int to = only == null ? cases : only + 1;
        ProxySettings.Builder settings = EdgeRig.settings("fuzz").headerTimeout(Duration.ofSeconds(1))
                .bodyTimeout(Duration.ofSeconds(1));
        List<String> failures = new ArrayList<>();
        Map<String, Sent> allowed = new HashMap<>();
        Set<String> failed = new HashSet<>();
        Map<Mutation, Integer> counts = new EnumMap<>(Mutation.class);
        System.out.println("fuzz: " + (to - from) + " cases, seed " + seed);
        long deadline = System.nanoTime() + BUDGET.toNanos();
        int ran = 0;
        EdgeRig rig = EdgeRig.start(settings);
        try {
            for (int i = from; i < to && failures.size() < MAX_FAILURES && System.nanoTime() < deadline; i++) {
                Case c = RequestFuzzer.generate(seed, i);
                ran++;
                counts.merge(c.mutation(), 1, Integer::sum);
                c.sent().subList(0, c.firstRefused()).forEach(s -> allowed.put(s.target(), s));
                String failure = check(rig, c);
                if (failure != null) {
                    failures.add(describe(c, failure));
                    c.sent().forEach(s -> failed.add(s.target()));
                    failures.addAll(sweep(rig, allowed, failed, seed));
                    rig = rig.restart();
                }
            }
            try {
                rig.probe();
                rig.awaitWorkerNotMidRequest();
            } catch (AssertionError e) {
                failures.add("fuzz seed=" + seed + " after the last case: " + e.getMessage());
            }
            failures.addAll(sweep(rig, allowed, failed, seed));
        } finally {
            rig.close();
        }
        System.out.println("fuzz: ran " + ran + " cases (of " + (to - from) + "), seed " + seed + ", mutations " + counts
                + ", " + failures.size() + " failures" + (ran < to - from ? "; stopped early" : ""));
        if (!failures.isEmpty()) {
            fail(failures.size() + " fuzz failures, seed " + seed + ":\n\n" + String.join("\n\n", failures));
        }
    }

    /** Runs one case on a new connection; null when it passed, else what went wrong. */
    private static String check(EdgeRig rig, Case c) throws IOException {
        int mark = rig.worker.mark();
        List<Sent> sent = c.sent();
        int refused = c.firstRefused();
        List<Integer> statuses = new ArrayList<>();
        try (Raw raw = rig.connect()) {
            EdgeRig.send(raw, c.writes(), false);
            for (int i = 0; i <= refused && i < sent.size(); i++) {
                Sent s = sent.get(i);
                String wanted = (i < refused ? "the worker's 200 for " : "a 4xx refusing ") + s;
                Raw.Response r;
                try {
                    r = EdgeRig.next(raw);
                } catch (AssertionError e) {
                    return "after " + statuses + ", no answer within the read timeout; response " + i + " must be "
                            + wanted;
                }
                if (r == null) {
                    return "after " + statuses + " the connection closed; response " + i + " must be " + wanted;
                }
                statuses.add(r.status());
                boolean ok = i < refused
                        ? r.status() == 200 && r.body().equals(RecordingWorker.answer(s.method(), s.target(), s.body()))
                        : r.status() >= 400 && r.status() <= 499;
                if (!ok) {
                    return "response " + i + " must be " + wanted + ", got " + r.status() + " " + Bytes.show(r.body());
                }
                if (i == refused && !EdgeRig.closes(raw)) {
                    return "after the " + r.status() + " refusing " + s + " the connection must close; more came";
                }
            }
            rig.awaitWorkerNotMidRequest();
        } catch (AssertionError e) {
            return e.getMessage();
        }
        return checkWorker(c, rig.events(mark));
    }

    /**
     * The worker got exactly the requests before the first refused one, whole and in order. A cut that an earlier
     * case's refusal left (its bytes may reach the worker after that case was checked) belongs to that case: its
     * target names it.
     */
    private static String checkWorker(Case c, List<Event> events) {
        List<Sent> through = c.sent().subList(0, c.firstRefused());
        List<Received> received = new ArrayList<>();
        for (Event e : events) {
            if (e instanceof Cut cut && isOtherCase(cut.bytes(), c.index())) {
                continue;
            }
            if (e instanceof Broken) {
                return "the proxy forwarded bytes the worker could not parse: " + e;
            }
            if (e instanceof Cut && through.size() == c.sent().size()) {
                return "a worker connection was cut in the middle of a request though nothing was refused: " + e;
            }
            if (e instanceof Received r) {
                received.add(r);
            }
        }
        for (int i = 0; i < Math.max(through.size(), received.size()); i++) {
            Sent s = i < through.size() ? through.get(i) : null;
            StrictRequestReader.Request r = i < received.size() ? received.get(i).request() : null;
            if (s == null) {
                return "the worker got a request the proxy had to refuse or the client never sent (desync): " + r;
            }
            if (r == null) {
                return "the worker never got " + s;
            }
            if (!matches(s, r)) {
                return "the worker's request " + i + " is " + r + ", the client sent " + s + " (desync)";
            }
        }
        return null;
    }

    /** True when these request bytes start with the request line of another fuzz case. */
    private static boolean isOtherCase(byte[] request, int index) {
        String line = new String(request, 0, Math.min(request.length, 200), StandardCharsets.ISO_8859_1);
        String[] parts = line.split(" ", 3);
        return parts.length > 1 && parts[1].startsWith("/fz/c") && !parts[1].startsWith("/fz/c" + index + "r");
    }

    /**
     * Every fuzz request this worker got whole, over all cases, is one that was to be let through: catches one that
     * arrived after its case was checked. Requests of cases that failed already are not reported twice.
     */
    private static List<String> sweep(EdgeRig rig, Map<String, Sent> allowed, Set<String> failed, long seed) {
        List<String> bad = new ArrayList<>();
        for (Event e : rig.events(0)) {
            if (e instanceof Received r && !failed.contains(r.request().target())) {
                Sent s = allowed.get(r.request().target());
                if (s == null || !matches(s, r.request())) {
                    bad.add("fuzz seed=" + seed + ": over the whole run, the worker got " + r.request()
                            + ", which no case let through (desync)");
                }
            }
        }
        return bad;
    }

    private static boolean matches(Sent s, StrictRequestReader.Request r) {
        return s.method().equals(r.method()) && s.target().equals(r.target()) && Arrays.equals(s.body(), r.body())
                && r.version().equals("HTTP/1.1");
    }

    private static String describe(Case c, String failure) {
        StringBuilder b = new StringBuilder("fuzz seed=" + c.seed() + " case=" + c.index() + " (replay: -Dfuzz.seed="
                + c.seed() + " -Dfuzz.only=" + c.index() + "): " + failure);
        for (Sent s : c.sent()) {
            b.append("\n  sent: ").append(s);
        }
        byte[] wire = c.wire();
        return b.append("\n  ").append(wire.length).append(" bytes in ").append(c.writes().size())
                .append(" writes split at ").append(c.splits()).append(": ").append(Bytes.show(wire, 3000))
                .toString();
    }
}
