package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Metrics as an operator scrapes them: a real daemon with {@code metrics_listen}, real requests through its proxy
 * to real Python workers, the text checked by {@code promtool} and scraped by a real Prometheus server.
 */
class MetricsIT {

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private final int port = Http.freePort();
    private final int metricsPort = Http.freePort();

    private void start() {
        sandbox.copyFixture("proxied.py");
        sandbox.writeConfig("metrics_listen = \"127.0.0.1:%d\"".formatted(metricsPort), """
                [program.web]
                command = "python3 proxied.py --port {port}"
                numprocs = 2
                listen = "127.0.0.1:%d"
                health_check = "/healthz"
                """.formatted(port));
        sandbox.startDaemon();
        sandbox.awaitStatus("2 web workers HEALTHY", s -> ProxyStatus.healthy(s, "web", 2));
    }

    private void requests(int n) {
        for (int i = 0; i < n; i++) {
            assertEquals(200, Http.get(port, "/n" + i).statusCode());
        }
    }

    private String scrape() {
        HttpResponse<String> r = Http.get(metricsPort, "/metrics");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(Optional.of("text/plain; version=0.0.4; charset=utf-8"), r.headers().firstValue("content-type"));
        return r.body();
    }

    private static double value(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    @Test
    void requestsWorkersAndTheDaemonAreOnTheAdminAddressAndTheControlSocketAndPromtoolAcceptsThem()
            throws Exception {
        start();
        requests(25);
        String text = sandbox.await("25 requests counted", this::scrape,
                t -> value(t, "baton_http_requests_total{code=\"200\",program=\"web\"}") == 25.0);
        Cli.Result overSocket = Http.curl("--unix-socket", sandbox.socket().toString(), "http://baton/metrics");
        Status status = sandbox.status();

        assertAll(
                () -> assertEquals(25.0, value(text, "baton_http_request_duration_seconds_count{program=\"web\"}")),
                () -> assertEquals(25.0, value(text, "baton_http_queue_wait_seconds_count{program=\"web\"}")),
                () -> assertEquals(0.0, value(text, "baton_http_queued_requests{program=\"web\"}")),
                () -> assertEquals(1.0, value(text, "baton_generation{program=\"web\"}")),
                () -> assertEquals(0.0, value(text, "baton_reloads_total{program=\"web\",result=\"reloaded\"}")),
                () -> assertTrue(value(text, "process_resident_memory_bytes") > 10e6, text),
                () -> assertTrue(value(text, "process_start_time_seconds") > 1.7e9, text));
        for (Status.Worker w : status.program("web")) {
            String labels = "program=\"web\",worker=\"" + w.name() + "\"";
            assertAll(w.name(),
                    () -> assertEquals(1.0, value(text, "baton_worker_up{generation=\"1\"," + labels + "}"), text),
                    () -> assertEquals(1.0, value(text, "baton_worker_state{program=\"web\",state=\"RUNNING\","
                            + "worker=\"" + w.name() + "\"}"), text),
                    () -> assertTrue(value(text, "baton_worker_resident_memory_bytes{" + labels + "}") > 5e6,
                            "a Python worker's memory: " + text),
                    () -> assertTrue(value(text, "baton_worker_cpu_seconds_total{" + labels + "}") > 0,
                            "a Python worker's CPU time: " + text));
        }
        assertEquals(0, overSocket.exit(), overSocket::toString);
        assertTrue(overSocket.out().contains("# TYPE baton_http_requests_total counter"), overSocket::toString);
        assertEquals("", promtool(text), "promtool check metrics accepts the text as it is");
    }

    @Test
    void theAdminAddressAnswersNothingButMetrics() {
        start();
        HttpResponse<String> shutdown = Http.send(HttpRequest.newBuilder(Http.uri(metricsPort, "/v1/shutdown"))
                .timeout(Http.TIMEOUT).POST(HttpRequest.BodyPublishers.noBody()).build());
        HttpResponse<String> status = Http.get(metricsPort, "/v1/status");

        assertEquals(404, shutdown.statusCode(), shutdown.body());
        assertEquals(404, status.statusCode(), status.body());
        assertTrue(sandbox.reachable(), "the daemon runs on");
    }

    @Test
    void aPrometheusServerScrapesTheAdminAddressAndCountsEveryRequest() throws Exception {
        start();
        int prometheusPort = Http.freePort();
        sandbox.write("prometheus.yml", """
                global:
                  scrape_interval: 1s
                scrape_configs:
                  - job_name: baton
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(metricsPort));
        Path dir = sandbox.dir();
        Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("prometheus-data"),
                "--web.listen-address=127.0.0.1:" + prometheusPort)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        try {
            requests(40);
            String query = "/api/v1/query?query=sum(baton_http_requests_total)";
            // a Prometheus start and a few scrapes: generous on a loaded machine
            String answer = sandbox.await("Prometheus to have scraped the 40 requests", Duration.ofSeconds(120),
                    () -> prometheusQuery(prometheusPort, query), body -> body.contains("\"40\"]"));
            assertTrue(answer.contains("\"status\":\"success\""), answer);
            String up = prometheusQuery(prometheusPort, "/api/v1/query?query=up%7Bjob%3D%22baton%22%7D");
            assertTrue(up.contains("\"1\"]"), "the target is up: " + up);
        } finally {
            prometheus.destroy();
            if (!prometheus.waitFor(30, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor();
            }
        }
    }

    /** The query's JSON answer, or the error that kept it from coming (Prometheus still starting). */
    private static String prometheusQuery(int port, String pathAndQuery) {
        try {
            return Http.CLIENT.send(HttpRequest.newBuilder(Http.uri(port, pathAndQuery)).timeout(Http.TIMEOUT)
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e.toString();
        }
    }

    /** What {@code promtool check metrics} says of {@code text}: empty when it has nothing to object. */
    private static String promtool(String text) throws Exception {
        Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool ended");
        return p.exitValue() == 0 ? said : "exit " + p.exitValue() + ": " + said;
    }
}
