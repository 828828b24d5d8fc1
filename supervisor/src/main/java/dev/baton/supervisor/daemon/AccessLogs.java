package dev.baton.supervisor.daemon;

import dev.baton.conf.ProxyConfig;
import dev.baton.supervisor.Log;
import dev.baton.supervisor.log.RotatingFile;

import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The proxied programs' access log files. Lines are written in order on one thread of their own, off the proxy's
 * event loops (a file write must never stall them). If the disk stalls for 10,000 lines, further lines are
 * dropped and counted, then reported once. Files are opened, changed and closed on the supervisor loop; lines
 * come from any proxy thread.
 */
final class AccessLogs implements Closeable {

    private record Open(ProxyConfig.AccessLog config, RotatingFile file) {
    }

    private final Map<String, Open> files = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();
    private final ThreadPoolExecutor writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(10_000), r -> {
                Thread t = new Thread(r, "baton-access-log");
                t.setDaemon(true);
                return t;
            }, (task, executor) -> dropped.incrementAndGet());

    /** True when {@code program} logs its requests. */
    boolean logs(String program) {
        return files.containsKey(program);
    }

    /** Queues one line for {@code program}'s file. Any thread; never blocks. */
    void write(String program, String line) {
        Open open = files.get(program);
        if (open != null) {
            byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
            writer.execute(() -> {
                long lost = dropped.getAndSet(0);
                if (lost > 0) {
                    Log.warn("access log: " + lost + " lines dropped while the disk did not keep up");
                }
                open.file().write(bytes, 0, bytes.length);
            });
        }
    }

    /** {@code program} logs as {@code config} says from now on: a changed file, size or count opens anew. */
    void configure(String program, ProxyConfig.AccessLog config) {
        Open open = files.get(program);
        if (open != null && Objects.equals(open.config(), config)) {
            return;
        }
        close(program);
        config.path().ifPresent(path -> files.put(program,
                new Open(config, new RotatingFile(path, config.maxbytes(), config.backups()))));
    }

    /** Closes {@code program}'s file, after the lines already queued for it. */
    void close(String program) {
        Open open = files.remove(program);
        if (open != null) {
            writer.execute(open.file()::close);
        }
    }

    /** Reopens every file at its path (after an external rotation, SIGUSR1). */
    void reopenAll() {
        files.values().forEach(open -> writer.execute(open.file()::reopen));
    }

    @Override
    public void close() {
        files.keySet().forEach(this::close);
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
