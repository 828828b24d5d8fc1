package dev.baton.supervisor.log;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.conf.LogDestination;
import dev.baton.supervisor.log.LogFiles.LogFileException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stdout_logfile} / {@code stderr_logfile}: AUTO, NONE and FILE destinations, shared files, release. */
class LogDestinationsTest {

    @TempDir
    Path dir;

    private static void write(RotatingFile file, String s) {
        byte[] bytes = s.getBytes(UTF_8);
        file.write(bytes, 0, bytes.length);
    }

    private static LogDestination file(Path template) {
        return LogDestination.file(template.toString());
    }

    @Test
    void autoIsTheLayoutUnderLogDirNamedAfterTheWorkersNumber() throws Exception {
        try (LogFiles files = new LogFiles(dir.resolve("logs"))) {
            RotatingFile out = files.acquire(LogDestination.AUTO, "web", 8, "web_08", LogStream.STDOUT, 0, 0)
                    .orElseThrow();
            RotatingFile err = files.acquire(LogDestination.AUTO, "web", 8, "web_08", LogStream.STDERR, 0, 0)
                    .orElseThrow();

            assertEquals(dir.resolve("logs/web-8.out.log"), out.path());
            assertEquals(dir.resolve("logs/web-8.err.log"), err.path());
            assertFalse(Files.exists(dir.resolve("logs")), "AUTO creates its folder at the first write");
            write(out, "x\n");
            assertEquals("x\n", Files.readString(out.path()));
        }
    }

    @Test
    void noneHasNoFileAndTheLinesStillReachTheHub() {
        LogHub hub = LogHub.withDefaults();
        try (LogFiles files = new LogFiles(dir.resolve("logs"))) {
            Optional<RotatingFile> none = assertDoesNotFail(() ->
                    files.acquire(LogDestination.NONE, "web", 0, "web:0", LogStream.STDOUT, 0, 0));
            assertTrue(none.isEmpty());

            LineSink sink = new LineSink("web:0", "web:0", LogStream.STDOUT, null, hub, null, true);
            sink.accept(ByteBuffer.wrap("only in memory\n".getBytes(UTF_8)));
            sink.close();

            assertEquals(List.of("only in memory"), hub.tail(5, s -> true).stream().map(LogLine::text).toList());
            assertFalse(Files.exists(dir.resolve("logs")));
        }
    }

    @Test
    void aFileTemplateExpandsProgramWorkerWithItsSpecAndProcessName() throws Exception {
        try (LogFiles files = new LogFiles(dir.resolve("logs"))) {
            RotatingFile f = files.acquire(file(dir.resolve("{program}-{worker:03}-{process_name}.log")), "web", 8,
                    "web_08", LogStream.STDOUT, 0, 0).orElseThrow();

            assertEquals(dir.resolve("web-008-web_08.log"), f.path());
            assertTrue(Files.exists(f.path()), "a FILE is opened at once, to know it can be written");
        }
    }

    @Test
    void workersAndStreamsWhosePathsExpandAlikeShareOneFileLineByLine() throws Exception {
        try (LogFiles files = new LogFiles(dir.resolve("logs"))) {
            LogDestination all = file(dir.resolve("{program}.log"));
            RotatingFile a = files.acquire(all, "web", 0, "web:0", LogStream.STDOUT, 100, 1).orElseThrow();
            RotatingFile b = files.acquire(all, "web", 1, "web:1", LogStream.STDOUT, 5, 0).orElseThrow();
            RotatingFile c = files.acquire(all, "web", 1, "web:1", LogStream.STDERR, 5, 0).orElseThrow();
            RotatingFile other = files.acquire(all, "api", 0, "api:0", LogStream.STDOUT, 0, 0).orElseThrow();

            assertSame(a, b);
            assertSame(a, c);
            assertNotSame(a, other);
            write(a, "from 0\n");
            write(b, "from 1\n");
            write(c, "err 1\n");
            assertEquals("from 0\nfrom 1\nerr 1\n", Files.readString(dir.resolve("web.log")),
                    "the first user's limits (100 bytes) win: no rotation at 5 bytes");
            assertFalse(Files.exists(dir.resolve("web.log.1")));
        }
    }

    @Test
    void theLastUserClosesTheFileAndANewUserOpensItAgain() throws Exception {
        try (LogFiles files = new LogFiles(dir.resolve("logs"))) {
            LogDestination all = file(dir.resolve("shared.log"));
            RotatingFile a = files.acquire(all, "web", 0, "web:0", LogStream.STDOUT, 0, 0).orElseThrow();
            RotatingFile b = files.acquire(all, "web", 1, "web:1", LogStream.STDOUT, 0, 0).orElseThrow();

            files.release(a);
            write(b, "still open\n");
            files.release(b);
            write(b, "dropped: nobody holds it\n");
            files.release(b); // unknown by now: nothing happens

            RotatingFile again = files.acquire(all, "web", 0, "web:0", LogStream.STDOUT, 0, 0).orElseThrow();
            assertNotSame(a, again);
            write(again, "reopened\n");
            assertEquals("still open\nreopened\n", Files.readString(dir.resolve("shared.log")));
        }
    }

    @Test
    void aFileWhoseFolderIsMissingOrNotAFolderCannotBeOpenedAndSaysWhyInOneLine() throws Exception {
        Files.writeString(dir.resolve("plain"), "");
        try (LogFiles files = new LogFiles(dir.resolve("logs"))) {
            LogFileException missing = assertThrows(LogFileException.class, () -> files.acquire(
                    file(dir.resolve("x/y.log")), "web", 2, "web:2", LogStream.STDOUT, 0, 0));
            assertEquals("cannot open log file " + dir.resolve("x/y.log") + ": no such folder", missing.getMessage());
            assertFalse(Files.exists(dir.resolve("x")), "the folder is not created, as with supervisord");

            LogFileException notFolder = assertThrows(LogFileException.class, () -> files.acquire(
                    file(dir.resolve("plain/y.log")), "web", 2, "web:2", LogStream.STDOUT, 0, 0));
            assertEquals("cannot open log file " + dir.resolve("plain/y.log") + ": not a folder: "
                    + dir.resolve("plain"), notFolder.getMessage());

            Files.createDirectory(dir.resolve("dir.log"));
            LogFileException isFolder = assertThrows(LogFileException.class, () -> files.acquire(
                    file(dir.resolve("dir.log")), "web", 2, "web:2", LogStream.STDOUT, 0, 0));
            assertTrue(isFolder.getMessage().startsWith("cannot open log file " + dir.resolve("dir.log") + ": "),
                    isFolder.getMessage());
            assertFalse(isFolder.getMessage().contains("\n"));

            // a failed open holds nothing: the next try, once possible, gets a fresh file
            Files.createDirectory(dir.resolve("x"));
            assertTrue(files.acquire(file(dir.resolve("x/y.log")), "web", 2, "web:2", LogStream.STDOUT, 0, 0)
                    .isPresent());
        }
    }

    @Test
    void closeClosesTheSharedFilesToo() throws Exception {
        LogFiles files = new LogFiles(dir.resolve("logs"));
        RotatingFile f = files.acquire(file(dir.resolve("s.log")), "web", 0, "web:0", LogStream.STDOUT, 0, 0)
                .orElseThrow();
        files.close();
        write(f, "after close\n");
        assertEquals("", Files.readString(dir.resolve("s.log")));
        assertThrows(IllegalStateException.class, () -> files.acquire(file(dir.resolve("t.log")), "web", 1, "web:1",
                LogStream.STDOUT, 0, 0));
    }

    private interface Acquire {
        Optional<RotatingFile> get() throws LogFileException;
    }

    private static Optional<RotatingFile> assertDoesNotFail(Acquire a) {
        try {
            return a.get();
        } catch (LogFileException e) {
            throw new AssertionError(e);
        }
    }
}
