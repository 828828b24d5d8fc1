package dev.baton.supervisor.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LogFormatTest {

    @Test
    void plainPrefixesTheSource() {
        LogLine line = new LogLine(1, 0, "web:2", LogStream.STDOUT, "GET / 200");

        assertEquals("web:2 | GET / 200", LogFormat.plain(line));
    }

    @Test
    void plainFormatsStderrLikeStdout() {
        LogLine out = new LogLine(1, 0, "web:2", LogStream.STDOUT, "boom");
        LogLine err = new LogLine(2, 0, "web:2", LogStream.STDERR, "boom");

        assertEquals(LogFormat.plain(out), LogFormat.plain(err));
    }

    @Test
    void plainKeepsAnEmptyLine() {
        assertEquals("web:2 | ", LogFormat.plain(new LogLine(1, 0, "web:2", LogStream.STDOUT, "")));
    }
}
