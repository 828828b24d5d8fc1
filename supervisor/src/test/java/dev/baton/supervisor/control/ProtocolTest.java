package dev.baton.supervisor.control;

import dev.baton.supervisor.log.LogLine;
import dev.baton.supervisor.log.LogStream;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The records of the wire protocol that {@code DaemonApiTest} does not cover, and reading a reload's lines. */
class ProtocolTest {

    @Test
    void aLogLineAndANoticeAreWrittenAsBefore() {
        LogEntry line = LogStreamer.entry(new LogLine(17, 1_700_000_000_123L, "web:2", LogStream.STDERR, "oops \"x\""));
        assertEquals("{\"seq\":17,\"time\":1700000000123,\"source\":\"web:2\",\"stream\":\"stderr\","
                + "\"text\":\"oops \\\"x\\\"\"}", Json.write(line));
        assertEquals(line, Json.read(Json.write(line), LogEntry.class));
        LogEntry notice = LogEntry.notice("3 lines dropped");
        assertEquals("{\"source\":\"baton\",\"stream\":\"stderr\",\"text\":\"3 lines dropped\"}", Json.write(notice));
        assertEquals(notice, Json.read(Json.write(notice), LogEntry.class));
    }

    @Test
    void errorsAndMessagesAreOneKeyObjects() {
        assertEquals("{\"error\":\"no such program: x\"}", Json.write(new ErrorReply("no such program: x")));
        assertEquals("{\"message\":\"shutting down\",\"pid\":42}", Json.write(new Message("shutting down", 42)));
    }

    @Test
    void aReloadLineIsAStepASummaryOrAnError() {
        ReloadStep step = new ReloadStep("web", "web:0", 3, "ready", "web:0 [gen 3] ready after 0.4s");
        ReloadSummary summary = new ReloadSummary(List.of(new ReloadSummary.ProgramReload("web", 3, "reloaded", true,
                "web: reloaded to gen 3", 2100, "", List.of())));
        ErrorReply error = new ErrorReply("internal error: boom");
        assertEquals(step, ReloadLine.read(Json.write(step)));
        assertEquals(summary, ReloadLine.read(Json.write(summary)));
        assertEquals(error, ReloadLine.read(Json.write(error)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReloadLine.read("[1]"));
        assertEquals("ReloadStep: expected an object, found an array", e.getMessage());
    }
}
