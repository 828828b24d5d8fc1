package dev.baton.supervisor.control;

import dev.baton.supervisor.Target;
import dev.baton.supervisor.log.LogHub;
import dev.baton.supervisor.log.LogStream;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ControlHandlerTest {

    private final LogHub hub = LogHub.withDefaults();
    private final List<String> calls = new ArrayList<>();
    private final CompletableFuture<Void> finished = new CompletableFuture<>();

    private final ControlApi api = new ControlApi() {
        @Override
        public CompletableFuture<StatusReply> status() {
            return CompletableFuture.completedFuture(new StatusReply(
                    new StatusReply.DaemonInfo(7, "dev", "/etc/baton.toml", "/run/baton.sock", 1500), List.of(),
                    List.of()));
        }

        @Override
        public CompletableFuture<Results> start(List<Target> targets) {
            calls.add("start " + targets);
            if (targets.contains(Target.program("nope"))) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("no such program: nope"));
            }
            return CompletableFuture.completedFuture(new Results(targets.stream()
                    .map(t -> new Results.WorkerResult(t.toString(), true, "started")).toList()));
        }

        @Override
        public CompletableFuture<Results> stop(List<Target> targets) {
            return CompletableFuture.failedFuture(new IllegalStateException("boom"));
        }

        @Override
        public CompletableFuture<Results> restart(List<Target> targets) {
            throw new IllegalArgumentException("thrown, not failed");
        }

        @Override
        public CompletableFuture<Results> signal(String signal, List<Target> targets) {
            calls.add("signal " + signal + " " + targets);
            return CompletableFuture.completedFuture(new Results(List.of()));
        }

        @Override
        public CompletableFuture<Message> shutdown() {
            return CompletableFuture.completedFuture(new Message("shutting down", 7));
        }

        @Override
        public CompletableFuture<CompletableFuture<UpgradeSummary>> upgrade(Consumer<ReloadStep> progress) {
            calls.add("upgrade");
            return CompletableFuture.failedFuture(new IllegalStateException("cannot upgrade: an upgrade is running"));
        }

        @Override
        public CompletableFuture<CompletableFuture<ReloadSummary>> reload(ReloadRequest request,
                                                                          Consumer<ReloadStep> progress) {
            List<String> programs = request.programs();
            calls.add("reload " + programs + " wait=" + request.waitIfBusy()
                    + (request.canary() ? " canary" : ""));
            if (programs.contains("broken")) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("configuration not reloaded"));
            }
            if (programs.contains("busy")) {
                return CompletableFuture.failedFuture(new IllegalStateException("a reload of busy is already running"));
            }
            if (programs.contains("crash")) {
                return CompletableFuture.completedFuture(
                        CompletableFuture.failedFuture(new IllegalStateException("bug")));
            }
            progress.accept(new ReloadStep("web", "", 2, "reloading", "before the head"));
            return CompletableFuture.completedFuture(finished.thenApply(v -> {
                progress.accept(new ReloadStep("web", "web:0", 2, "stopped", "last step"));
                return new ReloadSummary(List.of(new ReloadSummary.ProgramReload("web", 2, "reloaded", true,
                        "web: reloaded", 1200, "", List.of())));
            }));
        }

        @Override
        public CompletableFuture<TargetSelection> resolve(List<String> texts) {
            calls.add("resolve " + texts);
            List<Target> targets = new ArrayList<>();
            for (String text : texts) {
                if (text.equals("app")) { // a group
                    targets.add(Target.program("web"));
                    targets.add(Target.program("api"));
                } else if (text.equals("web_08")) { // a worker's name
                    targets.add(Target.worker("web", 8));
                } else if (Target.isCommonForm(text)) {
                    targets.add(Target.parse(text));
                } else {
                    return CompletableFuture.failedFuture(new IllegalArgumentException(
                            "no such program, group or worker: " + text));
                }
            }
            return CompletableFuture.completedFuture(new TargetSelection(targets,
                    texts.contains("web_08") ? List.of("web_08") : List.of()));
        }

        @Override
        public CompletableFuture<PidReply> pid(TargetSelection selection) {
            calls.add("pid " + selection.targets());
            return CompletableFuture.completedFuture(new PidReply(7, selection.targets().stream()
                    .map(t -> new PidReply.WorkerPid(t.toString(), t.program(), 100 + t.index())).toList()));
        }

        @Override
        public CompletableFuture<ConfigReply> config() {
            calls.add("config");
            return CompletableFuture.completedFuture(new ConfigReply("/etc/baton.toml", List.of(
                    new ConfigReply.ProgramState("web", Optional.of("app"), ConfigReply.CHANGED, List.of("numprocs"),
                            true, 999, 2)), List.of()));
        }

        @Override
        public CompletableFuture<CompletableFuture<ReloadSummary>> update(ReloadRequest request,
                                                                          Consumer<ReloadStep> progress) {
            calls.add("update " + request.programs() + " wait=" + request.waitIfBusy());
            return CompletableFuture.completedFuture(CompletableFuture.completedFuture(new ReloadSummary(List.of())));
        }

        @Override
        public LogHub logs() {
            return hub;
        }

        @Override
        public CompletableFuture<MetricsText> metrics() {
            calls.add("metrics");
            return CompletableFuture.completedFuture(new MetricsText("text/plain; version=0.0.4; charset=utf-8",
                    "# HELP up Up.\n# TYPE up gauge\nup 1\n".getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public CompletableFuture<ProbeReply> ready(Optional<String> program) {
            calls.add("ready " + program.orElse("*"));
            if (program.isEmpty()) {
                return CompletableFuture.completedFuture(ProbeReply.ok("ready"));
            }
            if (program.get().equals("crash")) {
                return CompletableFuture.failedFuture(new IllegalStateException("bug"));
            }
            return CompletableFuture.completedFuture(program.get().equals("web")
                    ? ProbeReply.unavailable("not ready: web has no ready worker")
                    : ProbeReply.unknown("no such program: " + program.get()));
        }

        @Override
        public CompletableFuture<ProbeReply> live() {
            return CompletableFuture.completedFuture(ProbeReply.ok("live"));
        }
    };

    private FullHttpResponse request(HttpMethod method, String uri) {
        return request(method, uri, false);
    }

    private FullHttpResponse request(HttpMethod method, String uri, boolean adminOnly) {
        EmbeddedChannel channel = new EmbeddedChannel(new ControlHandler(api, adminOnly));
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri));
        FullHttpResponse response = channel.readOutbound();
        assertFalse(channel.isOpen(), "one request per connection");
        return response;
    }

    private static String body(FullHttpResponse response) {
        return response.content().toString(StandardCharsets.UTF_8).trim();
    }

    @Test
    void statusAnswersJsonAndClosesTheConnection() {
        FullHttpResponse response = request(HttpMethod.GET, "/v1/status");
        assertEquals(200, response.status().code());
        assertEquals("application/json", response.headers().get("content-type"));
        assertEquals("{\"daemon\":{\"pid\":7,\"version\":\"dev\",\"config\":\"/etc/baton.toml\","
                + "\"socket\":\"/run/baton.sock\",\"uptime_ms\":1500},\"programs\":[],\"workers\":[]}", body(response));
    }

    @Test
    void metricsAnswerTheTextFormatWithItsContentType() {
        FullHttpResponse response = request(HttpMethod.GET, "/metrics");
        assertEquals(200, response.status().code());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", response.headers().get("content-type"));
        assertEquals("# HELP up Up.\n# TYPE up gauge\nup 1", body(response));
        assertEquals(405, request(HttpMethod.POST, "/metrics").status().code());
    }

    @Test
    void readyAnswersItsVerdictAsOneLineOfTextWithItsStatus() {
        FullHttpResponse ready = request(HttpMethod.GET, "/ready");
        assertEquals(200, ready.status().code());
        assertEquals("text/plain; charset=utf-8", ready.headers().get("content-type"));
        assertEquals("no-store", ready.headers().get("cache-control"));
        assertEquals("ready", body(ready));
        FullHttpResponse web = request(HttpMethod.GET, "/ready?program=web");
        assertEquals(503, web.status().code());
        assertEquals("not ready: web has no ready worker", body(web));
        FullHttpResponse unknown = request(HttpMethod.GET, "/ready?program=nope");
        assertEquals(404, unknown.status().code());
        assertEquals("no such program: nope", body(unknown));
        assertEquals(List.of("ready *", "ready web", "ready nope"), calls);
        assertEquals(400, request(HttpMethod.GET, "/ready?program=").status().code());
        assertEquals(400, request(HttpMethod.GET, "/ready?target=web").status().code());
        assertEquals(405, request(HttpMethod.POST, "/ready").status().code());
        FullHttpResponse live = request(HttpMethod.GET, "/live");
        assertEquals(200, live.status().code());
        assertEquals("live", body(live));
    }

    @Test
    void aProbeThatFailsInsideBatonIs503NeverAClosedConnection() {
        FullHttpResponse crash = request(HttpMethod.GET, "/ready?program=crash");
        assertEquals(503, crash.status().code());
        assertTrue(body(crash).startsWith("not ready: internal error: "), body(crash));
    }

    @Test
    void probesAnswerHeadWithTheStatusAndNoBody() {
        FullHttpResponse head = request(HttpMethod.HEAD, "/ready?program=web");
        assertEquals(503, head.status().code());
        assertEquals(0, head.content().readableBytes());
        assertEquals("not ready: web has no ready worker\n".length(), head.headers().getInt("content-length"));
        assertEquals(200, request(HttpMethod.HEAD, "/live", true).status().code());
        assertEquals(405, request(HttpMethod.HEAD, "/v1/status").status().code(), "HEAD is for the probes only");
    }

    @Test
    void theAdminAddressAnswersMetricsAndNothingThatControlsTheDaemon() {
        assertEquals(200, request(HttpMethod.GET, "/metrics", true).status().code());
        assertEquals(200, request(HttpMethod.GET, "/ready", true).status().code());
        assertEquals(200, request(HttpMethod.GET, "/live", true).status().code());
        for (String path : List.of("/v1/status", "/v1/logs")) {
            assertEquals(404, request(HttpMethod.GET, path, true).status().code(), path);
        }
        for (String path : List.of("/v1/shutdown", "/v1/start?target=web", "/v1/reload", "/v1/upgrade")) {
            assertEquals(404, request(HttpMethod.POST, path, true).status().code(), path);
        }
        assertEquals(List.of("metrics", "ready *"), calls);
    }

    @Test
    void repeatedTargetParametersReachTheApiInOrderAsTargets() {
        FullHttpResponse started = request(HttpMethod.POST, "/v1/start?target=web:*&target=api:1&target=all");
        assertEquals(200, started.status().code());
        assertEquals("{\"results\":[{\"worker\":\"web\",\"ok\":true,\"message\":\"started\"},"
                + "{\"worker\":\"api:1\",\"ok\":true,\"message\":\"started\"},"
                + "{\"worker\":\"all\",\"ok\":true,\"message\":\"started\"}]}", body(started));
        assertEquals(200, request(HttpMethod.POST, "/v1/signal?signal=HUP&target=web%3A2").status().code());
        assertEquals(List.of("resolve [web:*, api:1, all]", "start [web, api:1, all]", "resolve [web:2]",
                "signal HUP [web:2]"), calls);
    }

    @Test
    void aMalformedTargetIs400BeforeTheApiSeesIt() {
        FullHttpResponse start = request(HttpMethod.POST, "/v1/start?target=web&target=web:");
        assertEquals(400, start.status().code());
        assertEquals("{\"error\":\"invalid target \\\"web:\\\": nothing after ':' (use all, a program or group NAME,"
                + " NAME:*, NAME:N, GROUP:PROGRAM or a worker's name)\"}", body(start));
        assertEquals(400, request(HttpMethod.POST, "/v1/signal?signal=HUP&target=").status().code());
        assertEquals(400, request(HttpMethod.GET, "/v1/logs?target=:1").status().code());
        assertEquals(400, request(HttpMethod.GET, "/v1/pid?target=web%20app").status().code());
        assertEquals(List.of(), calls);
    }

    @Test
    void targetsAreResolvedByTheApiBeforeTheEndpointActsOnThem() {
        FullHttpResponse started = request(HttpMethod.POST, "/v1/start?target=app&target=web_08");
        assertEquals(200, started.status().code(), body(started));
        FullHttpResponse unknown = request(HttpMethod.POST, "/v1/stop?target=web&target=web:web_99");
        assertEquals(400, unknown.status().code());
        assertEquals("{\"error\":\"no such program, group or worker: web:web_99\"}", body(unknown));
        FullHttpResponse resolved = request(HttpMethod.GET, "/v1/targets?target=web_08&target=app");
        assertEquals("{\"targets\":[{\"program\":\"web\",\"index\":8},{\"program\":\"web\",\"index\":-1},"
                + "{\"program\":\"api\",\"index\":-1}],\"names\":[\"web_08\"]}", body(resolved));
        assertEquals(List.of("resolve [app, web_08]", "start [web, api, web:8]", "resolve [web, web:web_99]",
                "resolve [web_08, app]"), calls);
    }

    @Test
    void pidConfigAndUpdateAnswerTheirRecords() {
        FullHttpResponse pid = request(HttpMethod.GET, "/v1/pid?target=web:1");
        assertEquals("{\"daemon\":7,\"workers\":[{\"name\":\"web:1\",\"program\":\"web\",\"pid\":101}]}",
                body(pid));
        assertEquals("{\"daemon\":7,\"workers\":[]}", body(request(HttpMethod.GET, "/v1/pid")));
        FullHttpResponse config = request(HttpMethod.GET, "/v1/config");
        assertEquals("{\"file\":\"/etc/baton.toml\",\"programs\":[{\"name\":\"web\",\"group\":\"app\","
                + "\"state\":\"changed\",\"changes\":[\"numprocs\"],\"autostart\":true,\"priority\":999,"
                + "\"numprocs\":2}],\"groups\":[]}", body(config));
        assertEquals(405, request(HttpMethod.GET, "/v1/update").status().code());
        EmbeddedChannel channel = new EmbeddedChannel(new ControlHandler(api));
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                "/v1/update?program=app&wait=1"));
        channel.runPendingTasks();
        assertTrue(chunks(channel).contains("{\"summary\":[]}"));
        assertEquals(List.of("resolve [web:1]", "pid [web:1]", "resolve []", "pid []", "config",
                "update [app] wait=true"), calls);
    }

    /** Every chunk written so far, as text. */
    private static String chunks(EmbeddedChannel channel) {
        StringBuilder all = new StringBuilder();
        for (Object o = channel.readOutbound(); o != null; o = channel.readOutbound()) {
            if (o instanceof io.netty.handler.codec.http.HttpContent c) {
                all.append(c.content().toString(StandardCharsets.UTF_8));
            }
        }
        return all.toString();
    }

    @Test
    void shutdownSaysSo() {
        FullHttpResponse response = request(HttpMethod.POST, "/v1/shutdown");
        assertEquals(200, response.status().code());
        assertEquals("{\"message\":\"shutting down\",\"pid\":7}", body(response));
    }

    @Test
    void aCallersMistakeIs400WithTheMessage() {
        FullHttpResponse failed = request(HttpMethod.POST, "/v1/start?target=nope");
        assertEquals(400, failed.status().code());
        assertEquals("{\"error\":\"no such program: nope\"}", body(failed));
        FullHttpResponse thrown = request(HttpMethod.POST, "/v1/restart?target=x");
        assertEquals(400, thrown.status().code());
        assertTrue(body(thrown).contains("thrown, not failed"));
    }

    @Test
    void anInternalFailureIs500() {
        FullHttpResponse response = request(HttpMethod.POST, "/v1/stop?target=web");
        assertEquals(500, response.status().code());
        assertTrue(body(response).contains("boom"));
    }

    @Test
    void wrongMethodIs405AndUnknownPathIs404() {
        assertEquals(405, request(HttpMethod.GET, "/v1/start").status().code());
        assertEquals(405, request(HttpMethod.POST, "/v1/status").status().code());
        assertEquals(404, request(HttpMethod.GET, "/v2/anything").status().code());
    }

    @Test
    void logsAnswerTheFilteredTailAsNdjson() {
        hub.publish("web:0", LogStream.STDOUT, "zero");
        hub.publish("api:0", LogStream.STDOUT, "other program");
        hub.publish("web:1", LogStream.STDERR, "one");
        hub.publish("web:0", LogStream.STDOUT, "zero again");
        EmbeddedChannel channel = new EmbeddedChannel(new ControlHandler(api));
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                "/v1/logs?n=2&target=web"));
        channel.runPendingTasks();
        HttpResponse head = channel.readOutbound();
        assertEquals(200, head.status().code());
        List<String> lines = new ArrayList<>();
        for (Object part = channel.readOutbound(); part != null; part = channel.readOutbound()) {
            String text = ((HttpContent) part).content().toString(StandardCharsets.UTF_8);
            if (!text.isEmpty()) {
                lines.add(text.trim());
            }
            if (part instanceof LastHttpContent) {
                break;
            }
        }
        assertEquals(2, lines.size(), lines.toString());
        LogEntry one = Json.read(lines.get(0), LogEntry.class);
        assertEquals(new LogEntry(one.seq(), one.time(), "web:1", "stderr", "one"), one);
        assertEquals("{\"seq\":" + one.seq().orElseThrow() + ",\"time\":" + one.time().orElseThrow()
                + ",\"source\":\"web:1\",\"stream\":\"stderr\",\"text\":\"one\"}", lines.get(0));
        assertEquals("zero again", Json.read(lines.get(1), LogEntry.class).text());
    }

    @Test
    void logTargetsSelectTheirWorkersAndOnlyAllOrNoTargetSelectsBaton() {
        hub.publish("baton", LogStream.STDERR, "reloading");
        hub.publish("web:2", LogStream.STDOUT, "two");
        hub.publish("web:12", LogStream.STDOUT, "twelve");
        hub.publish("webapp:2", LogStream.STDOUT, "other program");
        assertEquals(List.of("reloading", "two", "twelve", "other program"), texts(List.of()));
        assertEquals(List.of("reloading", "two", "twelve", "other program"), texts(List.of(Target.ALL)));
        assertEquals(List.of("two", "twelve"), texts(List.of(Target.parse("web:*"))));
        assertEquals(List.of("two", "other program"), texts(List.of(Target.parse("web:2"), Target.parse("webapp"))));
        hub.publish("web_08", LogStream.STDOUT, "named by process_name");
        assertEquals(List.of("two", "twelve", "named by process_name"),
                hub.tail(10, new TargetSelection(List.of(Target.program("web")), List.of("web_08"))::matchesSource)
                        .stream().map(l -> l.text()).toList());
    }

    private List<String> texts(List<Target> targets) {
        return hub.tail(10, new TargetSelection(targets, List.of())::matchesSource).stream().map(l -> l.text())
                .toList();
    }

    @Test
    void followingLogsStreamsNewLinesOnceEachAfterTheTail() {
        hub.publish("web:0", LogStream.STDOUT, "old");
        EmbeddedChannel channel = new EmbeddedChannel(new ControlHandler(api));
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                "/v1/logs?n=5&follow=1&target=web:0"));
        channel.runPendingTasks();
        hub.publish("web:0", LogStream.STDOUT, "new");
        hub.publish("web:1", LogStream.STDOUT, "filtered out");
        channel.runPendingTasks();
        assertTrue(channel.isOpen(), "a follower stays connected");
        List<String> texts = new ArrayList<>();
        for (Object part = channel.readOutbound(); part != null; part = channel.readOutbound()) {
            if (part instanceof HttpContent c) {
                texts.add(c.content().toString(StandardCharsets.UTF_8).trim());
            }
        }
        assertEquals(2, texts.size(), texts.toString());
        assertTrue(texts.get(0).contains("\"text\":\"old\""));
        assertTrue(texts.get(1).contains("\"text\":\"new\""));
        channel.close();
    }

    @Test
    void logsForAnUnknownTargetAre400() {
        EmbeddedChannel channel = new EmbeddedChannel(new ControlHandler(api));
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                "/v1/logs?target=web:web_99"));
        FullHttpResponse response = channel.readOutbound();
        assertEquals(400, response.status().code());
    }

    @Test
    void reloadStreamsEveryStepThenTheSummaryAsNdjson() {
        EmbeddedChannel channel = new EmbeddedChannel(new ControlHandler(api));
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                "/v1/reload?program=web&program=api&wait=1"));
        HttpResponse head = channel.readOutbound();
        assertEquals(200, head.status().code());
        assertEquals("application/x-ndjson", head.headers().get("content-type"));
        assertEquals("{\"program\":\"web\",\"worker\":\"\",\"generation\":2,\"event\":\"reloading\","
                + "\"message\":\"before the head\"}\n", text(channel.readOutbound()));
        assertTrue(channel.isOpen(), "the reload is still running");

        finished.complete(null);
        assertEquals("{\"program\":\"web\",\"worker\":\"web:0\",\"generation\":2,\"event\":\"stopped\","
                + "\"message\":\"last step\"}\n", text(channel.readOutbound()));
        assertEquals("{\"summary\":[{\"program\":\"web\",\"generation\":2,\"outcome\":\"reloaded\",\"ok\":true,"
                + "\"message\":\"web: reloaded\",\"duration_ms\":1200,\"failed_worker\":\"\",\"last_lines\":[]}]}\n",
                text(channel.readOutbound()));
        assertTrue(channel.readOutbound() instanceof LastHttpContent);
        assertEquals(null, (Object) channel.readOutbound(), "nothing after the end");
        assertFalse(channel.isOpen());
        assertEquals(List.of("reload [web, api] wait=true"), calls);
    }

    @Test
    void aReloadThatBreaksDownInsideBatonEndsWithAnErrorLine() {
        EmbeddedChannel channel = new EmbeddedChannel(new ControlHandler(api));
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                "/v1/reload?program=crash"));
        HttpResponse head = channel.readOutbound();
        assertEquals(200, head.status().code());
        assertEquals("{\"error\":\"internal error: java.lang.IllegalStateException: bug\"}\n",
                text(channel.readOutbound()));
        assertTrue(channel.readOutbound() instanceof LastHttpContent);
    }

    @Test
    void refusedReloadIs400ForABadFileAnd409WhenOneIsRunning() {
        FullHttpResponse bad = request(HttpMethod.POST, "/v1/reload?program=broken");
        assertEquals(400, bad.status().code());
        assertEquals("{\"error\":\"configuration not reloaded\"}", body(bad));
        FullHttpResponse busy = request(HttpMethod.POST, "/v1/reload?program=busy");
        assertEquals(409, busy.status().code());
        assertEquals(405, request(HttpMethod.GET, "/v1/reload").status().code());
    }

    private static String text(HttpContent content) {
        return content.content().toString(StandardCharsets.UTF_8);
    }
}
