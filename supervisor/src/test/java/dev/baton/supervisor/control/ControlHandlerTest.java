package dev.baton.supervisor.control;

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
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ControlHandlerTest {

    private final LogHub hub = LogHub.withDefaults();
    private final List<String> calls = new ArrayList<>();
    private final CompletableFuture<Void> finished = new CompletableFuture<>();

    private final ControlApi api = new ControlApi() {
        @Override
        public CompletableFuture<Object> status() {
            return CompletableFuture.completedFuture(Map.of("workers", List.of()));
        }

        @Override
        public CompletableFuture<Object> start(List<String> targets) {
            calls.add("start " + targets);
            if (targets.contains("nope")) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("no such program: nope"));
            }
            return CompletableFuture.completedFuture(Map.of("results", List.of()));
        }

        @Override
        public CompletableFuture<Object> stop(List<String> targets) {
            return CompletableFuture.failedFuture(new IllegalStateException("boom"));
        }

        @Override
        public CompletableFuture<Object> restart(List<String> targets) {
            throw new IllegalArgumentException("thrown, not failed");
        }

        @Override
        public CompletableFuture<Object> signal(String signal, List<String> targets) {
            calls.add("signal " + signal + " " + targets);
            return CompletableFuture.completedFuture(Map.of());
        }

        @Override
        public CompletableFuture<Object> shutdown() {
            return CompletableFuture.completedFuture(Map.of());
        }

        @Override
        public CompletableFuture<CompletableFuture<Object>> reload(List<String> programs, boolean wait,
                                                                   java.util.function.Consumer<Object> progress) {
            calls.add("reload " + programs + " wait=" + wait);
            if (programs.contains("broken")) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("configuration not reloaded"));
            }
            if (programs.contains("busy")) {
                return CompletableFuture.failedFuture(new IllegalStateException("a reload of busy is already running"));
            }
            progress.accept(Map.of("message", "before the head"));
            return CompletableFuture.completedFuture(finished.thenApply(v -> {
                progress.accept(Map.of("message", "last step"));
                return Map.of("summary", List.of());
            }).thenApply(o -> (Object) o));
        }

        @Override
        public CompletableFuture<Object> checkTargets(List<String> targets) {
            return targets.contains("nope")
                    ? CompletableFuture.failedFuture(new IllegalArgumentException("no such program or worker: nope"))
                    : CompletableFuture.completedFuture(Map.of());
        }

        @Override
        public LogHub logs() {
            return hub;
        }
    };

    private FullHttpResponse request(HttpMethod method, String uri) {
        EmbeddedChannel channel = new EmbeddedChannel(new ControlHandler(api));
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
        assertEquals("{\"workers\":[]}", body(response));
    }

    @Test
    void repeatedTargetParametersReachTheApiInOrder() {
        assertEquals(200, request(HttpMethod.POST, "/v1/start?target=web&target=api:1").status().code());
        assertEquals(200, request(HttpMethod.POST, "/v1/signal?signal=HUP&target=web%3A2").status().code());
        assertEquals(List.of("start [web, api:1]", "signal HUP [web:2]"), calls);
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
        assertTrue(lines.get(0).contains("\"source\":\"web:1\"") && lines.get(0).contains("\"stream\":\"stderr\""));
        assertTrue(lines.get(1).contains("\"text\":\"zero again\""));
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
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/v1/logs?target=nope"));
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
        assertEquals("{\"message\":\"before the head\"}\n", text(channel.readOutbound()));
        assertTrue(channel.isOpen(), "the reload is still running");

        finished.complete(null);
        assertEquals("{\"message\":\"last step\"}\n", text(channel.readOutbound()));
        assertEquals("{\"summary\":[]}\n", text(channel.readOutbound()));
        assertTrue(channel.readOutbound() instanceof LastHttpContent);
        assertEquals(null, (Object) channel.readOutbound(), "nothing after the end");
        assertFalse(channel.isOpen());
        assertEquals(List.of("reload [web, api] wait=true"), calls);
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
