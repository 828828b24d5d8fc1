package dev.baton.supervisor.daemon;

import dev.baton.supervisor.Log;
import dev.baton.supervisor.Worker;
import dev.baton.supervisor.WorkerStatus;
import dev.baton.supervisor.Traffic;

import dev.baton.conf.AccessLogFormat;
import dev.baton.conf.BatonConfig;
import dev.baton.conf.ListenAddress;
import dev.baton.conf.ProgramConfig;
import dev.baton.conf.ProxyConfig;
import dev.baton.proxy.BackendListener;
import dev.baton.proxy.BackendStats;
import dev.baton.proxy.BackendView;
import dev.baton.proxy.ProgramStats;
import dev.baton.proxy.ProxiedProgram;
import dev.baton.proxy.ProxyLog;
import dev.baton.proxy.ProxyServer;
import dev.baton.proxy.ProxySettings;
import dev.baton.supervisor.log.RotatingFile;
import io.netty.channel.unix.DomainSocketAddress;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The programs Baton serves through its proxy (those with {@code listen}): binds their listeners, tells the
 * proxy which workers stand behind each one, and writes their access logs. Publishing runs on the supervisor
 * loop; the proxy takes each view as an immutable snapshot.
 */
final class Frontends implements Closeable, Traffic {

    /** What the proxy reports about backends; see {@link BackendListener}. */
    interface Events {
        void ready(String program, String worker, int generation);

        void drained(String program, String worker, int generation);
    }

    private final Events events;

    private final Map<String, ProxiedProgram> served = new ConcurrentHashMap<>();
    private final Map<String, ProxyConfig> configs = new ConcurrentHashMap<>();
    private final Map<String, RotatingFile> accessLogs = new ConcurrentHashMap<>();
    private ProxyServer server;

    Frontends(Events events) {
        this.events = events;
    }

    private final ProxyLog log = new ProxyLog() {
        @Override
        public void info(String message) {
            Log.info(message);
        }

        @Override
        public void warn(String message) {
            Log.warn(message);
        }

        @Override
        public boolean logsAccess(String program) {
            return accessLogs.containsKey(program);
        }

        @Override
        public void access(String program, String line) {
            RotatingFile file = accessLogs.get(program);
            if (file != null) {
                byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
                accessWriter.execute(() -> write(file, bytes));
            }
        }
    };

    private final AtomicLong droppedAccessLines = new AtomicLong();

    /**
     * Access log lines are written here, in order, off the proxy's event loops (a file write must never stall
     * them). If the disk stalls for 10,000 lines, further lines are dropped and counted, then reported once.
     */
    private final ThreadPoolExecutor accessWriter = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(10_000), r -> {
                Thread t = new Thread(r, "baton-access-log");
                t.setDaemon(true);
                return t;
            }, (task, executor) -> droppedAccessLines.incrementAndGet());

    private void write(RotatingFile file, byte[] line) {
        long dropped = droppedAccessLines.getAndSet(0);
        if (dropped > 0) {
            Log.warn("access log: " + dropped + " lines dropped while the disk did not keep up");
        }
        file.write(line, 0, line.length);
    }

    /** Serves every proxied program of {@code config}; fails with one line when a listener cannot be bound. */
    void serveAll(BatonConfig config) throws IOException {
        for (ProgramConfig p : config.programs()) {
            if (p.proxy().isPresent()) {
                serve(p);
            }
        }
    }

    /** Starts serving {@code p}, or rebinds it when its proxy settings changed; stops serving it without one. */
    void apply(ProgramConfig p) throws IOException {
        Optional<ProxyConfig> next = p.proxy();
        ProxyConfig current = configs.get(p.name());
        if (next.isPresent() && next.get().equals(current)) {
            return;
        }
        stop(p.name());
        if (next.isPresent()) {
            serve(p);
        }
    }

    void stop(String program) {
        ProxiedProgram old = served.remove(program);
        configs.remove(program);
        RotatingFile file = accessLogs.remove(program);
        if (old != null) {
            old.close();
        }
        if (file != null) {
            accessWriter.execute(file::close); // after the lines already queued for it
        }
    }

    private void serve(ProgramConfig p) throws IOException {
        ProxyConfig proxy = p.proxy().orElseThrow();
        if (server == null) {
            server = ProxyServer.start(log);
        }
        proxy.accessLog().path().ifPresent(path -> accessLogs.put(p.name(),
                new RotatingFile(path, proxy.accessLog().maxbytes(), proxy.accessLog().backups())));
        try {
            String name = p.name();
            served.put(name, server.serve(settings(name, proxy), new BackendListener() {
                @Override
                public void ready(String id, int generation) {
                    events.ready(name, id, generation);
                }

                @Override
                public void drained(String id, int generation) {
                    events.drained(name, id, generation);
                }
            }));
            configs.put(p.name(), proxy);
        } catch (IOException e) {
            RotatingFile file = accessLogs.remove(p.name());
            if (file != null) {
                file.close();
            }
            throw new IOException("program." + p.name() + ": " + e.getMessage(), e);
        }
    }

    /** Tells the proxy which workers of {@code program} exist now; loop thread. */
    void publish(String program, List<WorkerStatus> workers) {
        ProxiedProgram target = served.get(program);
        if (target == null) {
            return;
        }
        List<BackendView> views = new ArrayList<>();
        for (WorkerStatus w : workers) {
            SocketAddress address = w.socket() != null ? new DomainSocketAddress(w.socket().toString())
                    : w.port() > 0 ? new InetSocketAddress(InetAddress.getLoopbackAddress(), w.port()) : null;
            BackendView.Role role = switch (w.state()) {
                case STARTING, RUNNING -> w.held() ? BackendView.Role.HELD : BackendView.Role.SERVING;
                case DRAINING -> BackendView.Role.DRAINING;
                case STOPPING -> BackendView.Role.STOPPING;
                default -> null;
            };
            if (address != null && w.pid() > 0 && role != null) {
                views.add(new BackendView(w.name(), w.generation(), address, role));
            }
        }
        target.publish(views);
    }

    @Override
    public boolean proxied(String program) {
        return served.containsKey(program);
    }

    @Override
    public int inflight(Worker w) {
        ProxiedProgram p = served.get(w.config().name());
        if (p == null) {
            return 0;
        }
        return p.stats().backends().stream().filter(b -> b.id().equals(w.name()) && b.generation() == w.generation())
                .mapToInt(BackendStats::inflight).sum();
    }

    Map<String, ProgramStats> stats() {
        Map<String, ProgramStats> stats = new java.util.TreeMap<>();
        served.forEach((name, p) -> stats.put(name, p.stats()));
        return stats;
    }

    void reopenLogs() {
        accessLogs.values().forEach(file -> accessWriter.execute(file::reopen));
    }

    @Override
    public void close() {
        new ArrayList<>(served.keySet()).forEach(this::stop);
        if (server != null) {
            server.close();
        }
        accessWriter.shutdown();
        try {
            accessWriter.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static ProxySettings settings(String name, ProxyConfig c) {
        ProxyConfig.Health health = c.health();
        ProxyConfig.Limits limits = c.limits();
        ProxyConfig.Timeouts timeouts = c.timeouts();
        return ProxySettings.builder(name)
                .listen(c.listen().stream().map(Frontends::address).toList())
                .healthCheck(health.path())
                .healthInterval(health.interval())
                .healthTimeout(health.timeout())
                .healthRise(health.rise())
                .healthFall(health.fall())
                .warmupPath(health.warmupPath())
                .warmupRequests(health.warmupRequests())
                .maxInflight(limits.maxInflight())
                .maxQueue(limits.maxQueue())
                .maxHeaderSize((int) limits.maxHeaderSize())
                .maxBodySize(limits.maxBodySize())
                .retries(limits.retries())
                .queueTimeout(timeouts.queue())
                .connectTimeout(timeouts.connect())
                .responseTimeout(timeouts.response())
                .headerTimeout(timeouts.header())
                .keepaliveTimeout(timeouts.keepalive())
                .upstreamKeepaliveTimeout(timeouts.upstreamKeepalive())
                .trustedProxies(c.trustedProxies())
                .accessLogJson(c.accessLog().format() == AccessLogFormat.JSON)
                .build();
    }

    private static SocketAddress address(ListenAddress a) {
        if (a.isUnix()) {
            return new DomainSocketAddress(a.unixPath().orElseThrow().toString());
        }
        return a.host().isEmpty() ? new InetSocketAddress(a.port()) : new InetSocketAddress(a.host(), a.port());
    }
}
