package dev.baton.it;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded HTTP load: {@code threads} clients each sending GETs one after another until {@code duration} has passed
 * or {@code maxPerThread} were sent. Anything but a 200 (an error status or an I/O error) is a failure, kept with
 * its description.
 */
final class Load {

    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong ok = new AtomicLong();
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());

    private Load() {
    }

    static Load start(int port, String path, int threads, Duration duration, int maxPerThread) {
        Load load = new Load();
        long deadline = System.nanoTime() + duration.toNanos();
        for (int t = 0; t < threads; t++) {
            Thread thread = new Thread(() -> load.run(port, path, deadline, maxPerThread), "load-" + t);
            thread.setDaemon(true);
            load.threads.add(thread);
            thread.start();
        }
        return load;
    }

    private void run(int port, String path, long deadline, int max) {
        HttpRequest request = HttpRequest.newBuilder(Http.uri(port, path)).timeout(Http.TIMEOUT).build();
        for (int i = 0; i < max && System.nanoTime() < deadline; i++) {
            try {
                HttpResponse<String> response = Http.CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    ok.incrementAndGet();
                } else {
                    failures.add(response.statusCode() + " " + response.body().strip());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                failures.add(e.toString());
            }
        }
    }

    long ok() {
        return ok.get();
    }

    List<String> failures() {
        synchronized (failures) {
            return List.copyOf(failures);
        }
    }

    /** Waits for every client to finish (each is bounded in time already). */
    Load join() {
        for (Thread t : threads) {
            try {
                t.join(Http.TIMEOUT.toMillis() * 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " still running");
            }
        }
        return this;
    }

    @Override
    public String toString() {
        List<String> f = failures();
        return ok() + " ok, " + f.size() + " failed" + (f.isEmpty() ? "" : ": " + f.subList(0, Math.min(5, f.size())));
    }
}
