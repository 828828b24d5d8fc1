package dev.baton.proxy;

import dev.baton.proxy.BackendView.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What a reload needs of the proxy, with real workers: held backends, the switch, draining. */
class ProxyReloadTest {

    @TempDir
    Path dir;

    private Backends backends;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void setUp() {
        backends = new Backends(dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        backends.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + backends.port + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long pid(HttpResponse<String> r) {
        return Long.parseLong(r.body().replaceAll("(?s).*\"pid\": (\\d+).*", "$1"));
    }

    private String state(int generation) {
        return backends.program.stats().backends().stream().filter(b -> b.generation() == generation)
                .map(BackendStats::state).findFirst().orElse("absent");
    }

    @Test
    void heldBackendGetsNoTrafficUntilServing() throws Exception {
        BackendView old = backends.start("web:0", 1, Role.SERVING, false);
        BackendView next = backends.start("web:0", 2, Role.HELD, false);
        backends.serve(backends.listenOnFreePort("web"));
        Backends.await("generation 2 ready", () -> state(2).equals("READY"));
        long oldPid = backends.process(0).pid();
        for (int i = 0; i < 10; i++) {
            assertEquals(oldPid, pid(get("/before")), "a held worker gets no request");
        }
        backends.program.publish(List.of(new BackendView(old.id(), 1, old.address(), Role.DRAINING),
                new BackendView(next.id(), 2, next.address(), Role.SERVING)));
        assertEquals("HEALTHY", state(2), "routable at the switch, without waiting for a check");
        assertEquals(backends.process(1).pid(), pid(get("/after")));
    }
}
