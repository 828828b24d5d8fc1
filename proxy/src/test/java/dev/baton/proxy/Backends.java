package dev.baton.proxy;

import io.netty.channel.unix.DomainSocketAddress;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * Real Python test workers (src/test/resources/backend.py), the proxy in front of them and an HTTP client.
 * A test registers one with {@code @RegisterExtension}: each test method gets a temporary directory of its own
 * (for unix sockets), and its workers and proxy are stopped and the directory deleted after it.
 */
final class Backends implements BeforeEachCallback, AfterEachCallback {

    /** What the proxy logged, in every test so far. */
    static final List<String> LOG_LINES = new CopyOnWriteArrayList<>();

    static final ProxyLog QUIET = new ProxyLog() {
        @Override
        public void info(String message) {
            LOG_LINES.add(message);
            if (Boolean.getBoolean("proxy.debug")) {
                System.err.println("INFO " + message);
            }
        }

        @Override
        public void warn(String message) {
            LOG_LINES.add(message);
            if (Boolean.getBoolean("proxy.debug")) {
                System.err.println("WARN " + message);
            }
        }
    };

    private Path dir;
    private final List<Process> processes = new ArrayList<>();
    final List<BackendView> views = new ArrayList<>();
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    ProxyServer server;
    ProxiedProgram program;
    /** The proxy's port, once {@link #listenOnFreePort} chose it. */
    int port;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("baton-proxy-test");
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        try {
            stop();
        } finally {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** This test's temporary directory. */
    Path dir() {
        return dir;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static ProxySettings settings(String name, SocketAddress listen) {
        return ProxySettings.builder(name)
                .listen(List.of(listen))
                .healthCheck(Optional.of("/healthz"))
                .healthInterval(Duration.ofMillis(500))
                .healthTimeout(Duration.ofMillis(500))
                .healthFall(2)
                .warmupRequests(0)
                .maxInflight(0)
                .maxQueue(100)
                .queueTimeout(Duration.ofSeconds(5))
                .connectTimeout(Duration.ofSeconds(2))
                .responseTimeout(Duration.ofSeconds(10))
                .headerTimeout(Duration.ofSeconds(5))
                .keepaliveTimeout(Duration.ofSeconds(30))
                .build();
    }

    /** Starts a serving worker of generation 1. */
    BackendView start(String name, boolean unix, String... extra) throws IOException {
        return start(name, 1, BackendView.Role.SERVING, unix, extra);
    }

    /**
     * Starts a worker on a free loopback port (or on a unix socket), waits until it says it is ready and adds its
     * view, with this generation and role, to {@link #views}.
     */
    BackendView start(String name, int generation, BackendView.Role role, boolean unix, String... extra)
            throws IOException {
        SocketAddress address = unix ? new DomainSocketAddress(dir.resolve(name.replace(':', '-') + ".sock").toString())
                : new InetSocketAddress(InetAddress.getLoopbackAddress(), freePort());
        launch(name, address, extra);
        BackendView view = new BackendView(name, generation, address, role);
        views.add(view);
        return view;
    }

    /**
     * Starts a worker again where {@code view}'s listened (its process gone), so that the same backend comes back:
     * its stale unix socket file is removed first.
     */
    void relaunch(BackendView view, String... extra) throws IOException {
        if (view.address() instanceof DomainSocketAddress unix) {
            Files.deleteIfExists(Path.of(unix.path()));
        }
        launch(view.id(), view.address(), extra);
    }

    /** Starts a worker process listening on {@code address} and waits until it says it is ready. */
    private void launch(String name, SocketAddress address, String... extra) throws IOException {
        List<String> command = new ArrayList<>(List.of("python3", resource().toString(), "--name", name));
        if (address instanceof DomainSocketAddress unix) {
            command.addAll(List.of("--socket", unix.path()));
        } else {
            command.addAll(List.of("--port", Integer.toString(((InetSocketAddress) address).getPort())));
        }
        command.addAll(List.of(extra));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        processes.add(process);
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        String line = out.readLine();
        if (!"ready".equals(line)) {
            throw new IOException(name + " did not start: " + line);
        }
        Thread drain = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // keep the pipe flowing
                }
            } catch (IOException ignored) {
                // process gone
            }
        });
        drain.setDaemon(true);
        drain.start();
    }

    Process process(int index) {
        return processes.get(index);
    }

    /** Starts the proxy on a free port in front of the started workers and waits until the serving ones are healthy. */
    void serve(ProxySettings settings) throws Exception {
        serve(settings, BackendListener.NONE);
    }

    /** Like {@link #serve(ProxySettings)}, telling {@code listener} about the backends. */
    void serve(ProxySettings settings, BackendListener listener) throws Exception {
        open(settings, listener);
        await("all workers healthy", () -> program.stats().backends().stream()
                .filter(b -> b.state().equals("HEALTHY")).count() == views.stream()
                .filter(v -> v.role() == BackendView.Role.SERVING || v.role() == BackendView.Role.CANARY).count());
    }

    /** Starts the proxy in front of the started workers, without waiting for them. */
    void open(ProxySettings settings, BackendListener listener) throws IOException {
        server = ProxyServer.start(QUIET);
        program = server.serve(settings, listener);
        program.publish(views);
    }

    ProxySettings listenOnFreePort(String name) throws IOException {
        port = freePort();
        return settings(name, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    /** {@code path} on the proxy. */
    URI uri(String path) {
        return uri(port, path);
    }

    private static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** A GET of {@code path} through the proxy, answered within 20 seconds. */
    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return get(port, path);
    }

    /** A GET of {@code path} on a loopback port (the proxy's, or a worker's own), answered within 20 seconds. */
    HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(request(port, path), HttpResponse.BodyHandlers.ofString());
    }

    /** Like {@link #get(String)}, without waiting for the answer. */
    CompletableFuture<HttpResponse<String>> getAsync(String path) {
        return http.sendAsync(request(port, path), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(int port, String path) {
        return HttpRequest.newBuilder(uri(port, path)).timeout(Duration.ofSeconds(20)).build();
    }

    /** The process id a worker put in its JSON answer. */
    static long pid(HttpResponse<String> r) {
        return Long.parseLong(r.body().replaceAll("(?s).*\"pid\": (\\d+).*", "$1"));
    }

    /** The name a worker put in its JSON answer. */
    static String name(HttpResponse<String> r) {
        return r.body().replaceAll(".*\"name\": \"([^\"]+)\".*", "$1").trim();
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    private static Path resource() throws IOException {
        try {
            return Path.of(Backends.class.getResource("/backend.py").toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
    }

    private void stop() {
        if (program != null) {
            program.close();
        }
        if (server != null) {
            server.close();
        }
        for (Process p : processes) {
            p.destroyForcibly();
        }
    }

    /** A program on {@code server} with {@code worker}, healthy, then listening on {@code listener}. */
    static ProxiedProgram serve(ProxyServer server, ProxySettings settings, BackendView worker,
                                 Listener listener) throws InterruptedException {
        ProxiedProgram program = server.program(settings, BackendListener.NONE);
        program.publish(List.of(worker));
        await(worker.id() + " healthy", () -> program.stats().backends().stream()
                .anyMatch(b -> b.state().equals("HEALTHY")));
        program.listenOn(List.of(listener));
        return program;
    }
}
