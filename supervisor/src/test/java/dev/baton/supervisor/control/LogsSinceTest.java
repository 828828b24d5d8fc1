package dev.baton.supervisor.control;

import dev.baton.supervisor.log.LogStream;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code GET /v1/logs?since=MS}: only lines that arrived at that time or later, in the history and while following. */
class LogsSinceTest {

    private final CannedApi api = new CannedApi();

    /** The response's status, then the text of each NDJSON line sent so far. */
    private static List<String> read(EmbeddedChannel channel) {
        channel.runPendingTasks();
        List<String> out = new ArrayList<>();
        for (Object part = channel.readOutbound(); part != null; part = channel.readOutbound()) {
            if (part instanceof HttpResponse head) {
                out.add(String.valueOf(head.status().code()));
            }
            if (part instanceof HttpContent c) {
                String text = c.content().toString(StandardCharsets.UTF_8).trim();
                if (!text.isEmpty()) {
                    out.add(text.startsWith("{\"seq\"") ? Json.read(text, LogEntry.class).text() : text);
                }
            }
        }
        return out;
    }

    private EmbeddedChannel get(String uri) {
        EmbeddedChannel channel = new EmbeddedChannel(new ControlHandler(api));
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri));
        return channel;
    }

    @Test
    void sinceLeavesOutLinesThatArrivedBeforeItAndNStillLimitsTheRest() {
        api.hub.publish("web:0", LogStream.STDOUT, "before", 1_000);
        api.hub.publish("web:0", LogStream.STDOUT, "at", 2_000);
        api.hub.publish("web:1", LogStream.STDOUT, "after", 3_000);

        assertEquals(List.of("200", "at", "after"), read(get("/v1/logs?since=2000")));
        assertEquals(List.of("200", "after"), read(get("/v1/logs?since=2000&n=1")));
        assertEquals(List.of("200", "after"), read(get("/v1/logs?since=2000&target=web:1")));
        assertEquals(List.of("200", "before", "at", "after"), read(get("/v1/logs?since=0")));
        assertEquals(List.of("200"), read(get("/v1/logs?since=99999999999999999999")));
    }

    @Test
    void followingSinceAFutureTimeSendsOnlyLinesStampedFromThen() {
        api.hub.publish("web:0", LogStream.STDOUT, "history", 1_000);
        EmbeddedChannel channel = get("/v1/logs?follow=1&since=5000");
        assertEquals(List.of("200"), read(channel));

        api.hub.publish("web:0", LogStream.STDOUT, "still early", 4_999);
        api.hub.publish("web:0", LogStream.STDOUT, "on time", 5_000);

        assertEquals(List.of("on time"), read(channel));
        assertTrue(channel.isOpen(), "a follower stays connected");
        channel.close();
    }

    @Test
    void aSinceThatIsNotMillisecondsSinceTheEpochIs400() {
        for (String value : List.of("-1", "10m", "2026-12-07T15:04:05Z", "", "1.5")) {
            List<String> answer = read(get("/v1/logs?since=" + value));
            assertEquals(List.of("400", "{\"error\":\"since must be a time in milliseconds since the epoch,"
                    + " a whole number from 0\"}"), answer, value);
        }
    }
}
