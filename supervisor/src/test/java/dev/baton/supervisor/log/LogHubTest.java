package dev.baton.supervisor.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class LogHubTest {

    private static final Predicate<String> ALL = s -> true;

    private static List<String> texts(List<LogLine> lines) {
        return lines.stream().map(LogLine::text).collect(Collectors.toList());
    }

    @Test
    void publishStampsSeqTimeAndFields() {
        LogHub hub = new LogHub(10, 1000);
        long before = System.currentTimeMillis();

        LogLine a = hub.publish("web:1", LogStream.STDOUT, "a");
        LogLine b = hub.publish("web:2", LogStream.STDERR, "b");

        assertTrue(b.seq() > a.seq());
        assertTrue(a.timeMillis() >= before && a.timeMillis() <= System.currentTimeMillis());
        assertEquals(new LogLine(b.seq(), b.timeMillis(), "web:2", LogStream.STDERR, "b"), b);
        assertEquals(List.of(a, b), hub.tail(10, ALL));
    }

    @Test
    void historyIsBoundedByLineCountEvictingOldestFirst() {
        LogHub hub = new LogHub(3, 1000);
        for (int i = 1; i <= 5; i++) {
            hub.publish("web:1", LogStream.STDOUT, "line " + i);
        }
        assertEquals(List.of("line 3", "line 4", "line 5"), texts(hub.tail(100, ALL)));
    }

    @Test
    void historyIsBoundedByTotalCharsEvictingOldestFirst() {
        LogHub hub = new LogHub(100, 10);
        hub.publish("web:1", LogStream.STDOUT, "aaaa");
        hub.publish("web:1", LogStream.STDOUT, "bbbb");
        hub.publish("web:1", LogStream.STDOUT, "cc");
        assertEquals(List.of("aaaa", "bbbb", "cc"), texts(hub.tail(100, ALL)));

        hub.publish("web:1", LogStream.STDOUT, "d");
        assertEquals(List.of("bbbb", "cc", "d"), texts(hub.tail(100, ALL)));
    }

    @Test
    void lineLongerThanMaxCharsIsDeliveredButNotKept() {
        LogHub hub = new LogHub(100, 5);
        List<LogLine> seen = new ArrayList<>();
        hub.subscribe(ALL, seen::add);
        hub.publish("web:1", LogStream.STDOUT, "ok");

        hub.publish("web:1", LogStream.STDOUT, "far too long");

        assertEquals(List.of(), hub.tail(100, ALL));
        assertEquals(List.of("ok", "far too long"), texts(seen));
    }

    @Test
    void defaultsKeepTenThousandLines() {
        LogHub hub = LogHub.withDefaults();
        for (int i = 0; i < 10_001; i++) {
            hub.publish("web:1", LogStream.STDOUT, "x");
        }
        List<LogLine> all = hub.tail(Integer.MAX_VALUE, ALL);
        assertEquals(10_000, all.size());
        assertEquals(2, all.get(0).seq());
    }

    @Test
    void tailReturnsLastNMatchingLinesOldestFirst() {
        LogHub hub = new LogHub(100, 1000);
        for (int i = 1; i <= 4; i++) {
            hub.publish("web:1", LogStream.STDOUT, "web1 " + i);
            hub.publish("worker:1", LogStream.STDERR, "worker1 " + i);
        }

        assertEquals(List.of("web1 3", "web1 4"), texts(hub.tail(2, "web:1"::equals)));
        assertEquals(List.of("worker1 4"), texts(hub.tail(1, s -> s.startsWith("worker:"))));
        assertEquals(8, hub.tail(100, ALL).size());
        assertEquals(List.of(), hub.tail(5, "nope:1"::equals));
    }

    @Test
    void publishKeepsTheTimeItIsGiven() {
        LogHub hub = new LogHub(10, 1000);

        LogLine line = hub.publish("web:1", LogStream.STDOUT, "a", 1234);

        assertEquals(1234, line.timeMillis());
        assertEquals(List.of(line), hub.tail(10, ALL));
    }

    @Test
    void tailSinceKeepsTheLastNMatchingLinesAtOrAfterThatTimeEvenOutOfSeqOrder() {
        LogHub hub = new LogHub(10, 1000);
        hub.publish("web:1", LogStream.STDOUT, "old", 100);
        hub.publish("web:1", LogStream.STDOUT, "at", 200);
        hub.publish("api:1", LogStream.STDOUT, "other program", 300);
        hub.publish("web:1", LogStream.STDOUT, "clock set back", 150);
        hub.publish("web:1", LogStream.STDOUT, "new", 300);
        Predicate<String> web = s -> s.startsWith("web:");

        assertEquals(List.of("at", "new"), texts(hub.tail(10, 200, web)));
        assertEquals(List.of("new"), texts(hub.tail(1, 200, web)));
        assertEquals(List.of("at", "clock set back", "new"), texts(hub.tail(10, 150, web)));
        assertEquals(List.of(), texts(hub.tail(10, 301, ALL)));
        assertEquals(List.of(), texts(hub.tail(0, 0, ALL)));
        assertEquals(5, hub.tail(10, Long.MIN_VALUE, ALL).size());
    }

    @Test
    void tailOfZeroOrLessIsEmpty() {
        LogHub hub = new LogHub(100, 1000);
        hub.publish("web:1", LogStream.STDOUT, "a");
        assertEquals(List.of(), hub.tail(0, ALL));
        assertEquals(List.of(), hub.tail(-1, ALL));
    }

    @Test
    void subscriberReceivesMatchingLinesInSeqOrder() {
        LogHub hub = new LogHub(10, 1000);
        List<LogLine> seen = new ArrayList<>();
        hub.publish("web:1", LogStream.STDOUT, "before subscribing");
        hub.subscribe("web:1"::equals, seen::add);

        for (int i = 0; i < 100; i++) {
            hub.publish(i % 2 == 0 ? "web:1" : "web:2", LogStream.STDOUT, "line " + i);
        }

        assertEquals(50, seen.size());
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i).seq() > seen.get(i - 1).seq());
        }
        assertEquals("line 0", seen.get(0).text());
        assertTrue(seen.stream().allMatch(l -> l.source().equals("web:1")));
    }

    @Test
    void throwingSubscriberIsRemovedWithoutAffectingOthers() {
        LogHub hub = new LogHub(10, 1000);
        List<String> first = new ArrayList<>();
        List<String> last = new ArrayList<>();
        int[] calls = {0};
        hub.subscribe(ALL, l -> first.add(l.text()));
        hub.subscribe(ALL, l -> {
            calls[0]++;
            throw new IllegalStateException("client went away");
        });
        hub.subscribe(ALL, l -> last.add(l.text()));

        LogLine a = hub.publish("web:1", LogStream.STDOUT, "a");
        hub.publish("web:1", LogStream.STDOUT, "b");

        assertEquals(1, calls[0]);
        assertEquals(List.of("a", "b"), first);
        assertEquals(List.of("a", "b"), last);
        assertEquals("a", a.text());
    }

    @Test
    void throwingFilterRemovesItsSubscriber() {
        LogHub hub = new LogHub(10, 1000);
        int[] calls = {0};
        hub.subscribe(s -> {
            calls[0]++;
            throw new IllegalArgumentException("bad filter");
        }, l -> { });

        hub.publish("web:1", LogStream.STDOUT, "a");
        hub.publish("web:1", LogStream.STDOUT, "b");

        assertEquals(1, calls[0]);
    }

    @Test
    void closedSubscriptionReceivesNothingMore() {
        LogHub hub = new LogHub(10, 1000);
        List<String> seen = new ArrayList<>();
        LogHub.Subscription sub = hub.subscribe(ALL, l -> seen.add(l.text()));
        hub.publish("web:1", LogStream.STDOUT, "a");

        sub.close();
        sub.close();
        hub.publish("web:1", LogStream.STDOUT, "b");

        assertEquals(List.of("a"), seen);
    }

    @Test
    void rejectsBoundsBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> new LogHub(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new LogHub(10, 0));
    }

    @RepeatedTest(5)
    void seqIsStrictlyIncreasingAcrossThreads() throws Exception {
        int threads = 8;
        int perThread = 5_000;
        LogHub hub = new LogHub(threads * perThread, Long.MAX_VALUE);
        AtomicInteger delivered = new AtomicInteger();
        hub.subscribe(ALL, l -> delivered.incrementAndGet());
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<LogLine>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String source = "web:" + t;
                results.add(pool.submit(() -> {
                    start.await();
                    List<LogLine> mine = new ArrayList<>(perThread);
                    for (int i = 0; i < perThread; i++) {
                        mine.add(hub.publish(source, LogStream.STDOUT, Integer.toString(i)));
                    }
                    return mine;
                }));
            }
            Set<Long> seqs = new HashSet<>();
            for (Future<List<LogLine>> f : results) {
                List<LogLine> mine = f.get(30, TimeUnit.SECONDS);
                for (int i = 1; i < mine.size(); i++) {
                    assertTrue(mine.get(i).seq() > mine.get(i - 1).seq(), "per-thread order");
                }
                mine.forEach(l -> seqs.add(l.seq()));
            }
            assertEquals(threads * perThread, seqs.size(), "every seq is unique");
            assertEquals(threads * perThread, delivered.get());

            List<LogLine> history = hub.tail(Integer.MAX_VALUE, ALL);
            assertEquals(threads * perThread, history.size());
            for (int i = 1; i < history.size(); i++) {
                assertTrue(history.get(i).seq() > history.get(i - 1).seq(), "history is in seq order");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
