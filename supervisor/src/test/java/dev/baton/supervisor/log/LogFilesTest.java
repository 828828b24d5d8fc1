package dev.baton.supervisor.log;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogFilesTest {

    @TempDir
    Path dir;

    private static void write(RotatingFile file, String s) {
        byte[] bytes = s.getBytes(UTF_8);
        file.write(bytes, 0, bytes.length);
    }

    @Test
    void filesAreNamedAfterProgramIndexAndStream() {
        Path logDir = dir.resolve("logs");
        try (LogFiles files = new LogFiles(logDir)) {
            assertEquals(logDir.resolve("web-2.out.log"), files.file("web", 2, LogStream.STDOUT, 0, 0).path());
            assertEquals(logDir.resolve("web-2.err.log"), files.file("web", 2, LogStream.STDERR, 0, 0).path());
            assertEquals(logDir.resolve("my.app_x-0.out.log"),
                    files.file("my.app_x", 0, LogStream.STDOUT, 0, 0).path());
            assertFalse(Files.exists(logDir), "nothing is created before the first write");
        }
    }

    @Test
    void sameKeyGetsTheSameInstance() {
        try (LogFiles files = new LogFiles(dir)) {
            RotatingFile a = files.file("web", 2, LogStream.STDOUT, 0, 0);

            assertSame(a, files.file("web", 2, LogStream.STDOUT, 100, 3));
            assertNotSame(a, files.file("web", 2, LogStream.STDERR, 0, 0));
            assertNotSame(a, files.file("web", 3, LogStream.STDOUT, 0, 0));
            assertNotSame(a, files.file("api", 2, LogStream.STDOUT, 0, 0));
        }
    }

    @Test
    void limitsGivenLastApply() throws IOException {
        try (LogFiles files = new LogFiles(dir)) {
            RotatingFile file = files.file("web", 1, LogStream.STDOUT, 0, 0);
            write(file, "12345678\n");

            files.file("web", 1, LogStream.STDOUT, 10, 1);
            write(file, "abc\n");
        }
        assertEquals("abc\n", Files.readString(dir.resolve("web-1.out.log")));
        assertEquals("12345678\n", Files.readString(dir.resolve("web-1.out.log.1")));
    }

    @Test
    void reopenAllReopensEveryFileAtItsPath() throws IOException {
        try (LogFiles files = new LogFiles(dir)) {
            RotatingFile out = files.file("web", 1, LogStream.STDOUT, 0, 0);
            RotatingFile err = files.file("web", 1, LogStream.STDERR, 0, 0);
            write(out, "old out\n");
            write(err, "old err\n");
            Files.move(out.path(), dir.resolve("moved.out"));
            Files.move(err.path(), dir.resolve("moved.err"));

            files.reopenAll();
            write(out, "new out\n");
            write(err, "new err\n");
        }
        assertEquals("new out\n", Files.readString(dir.resolve("web-1.out.log")));
        assertEquals("new err\n", Files.readString(dir.resolve("web-1.err.log")));
        assertEquals("old out\n", Files.readString(dir.resolve("moved.out")));
        assertEquals("old err\n", Files.readString(dir.resolve("moved.err")));
    }

    @Test
    void closeClosesEveryFileAndRefusesNewOnes() throws IOException {
        LogFiles files = new LogFiles(dir);
        RotatingFile out = files.file("web", 1, LogStream.STDOUT, 0, 0);
        write(out, "before\n");

        files.close();
        files.close();
        write(out, "after\n");

        assertEquals("before\n", Files.readString(out.path()));
        assertThrows(IllegalStateException.class, () -> files.file("web", 1, LogStream.STDOUT, 0, 0));
    }

    @Test
    void programNameCannotLeaveTheLogFolder() {
        try (LogFiles files = new LogFiles(dir)) {
            assertThrows(IllegalArgumentException.class, () -> files.file("../web", 1, LogStream.STDOUT, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> files.file("a/b", 1, LogStream.STDOUT, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> files.file("", 1, LogStream.STDOUT, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> files.file("web", -1, LogStream.STDOUT, 0, 0));
            assertTrue(files.file("..", 1, LogStream.STDOUT, 0, 0).path().startsWith(dir));
        }
    }
}
