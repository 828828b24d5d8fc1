package dev.baton.supervisor.log;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotatingFileTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(errBytes, true, UTF_8);

    private static void write(RotatingFile file, String s) {
        byte[] bytes = s.getBytes(UTF_8);
        file.write(bytes, 0, bytes.length);
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, UTF_8);
    }

    private List<String> errLines() {
        String s = errBytes.toString(UTF_8);
        return s.isEmpty() ? List.of() : List.of(s.split("\n"));
    }

    @Test
    void firstWriteCreatesParentFoldersAndConstructorTouchesNothing() throws IOException {
        Path path = dir.resolve("a/b/web-1.out.log");
        try (RotatingFile file = new RotatingFile(path, 0, 0, err)) {
            assertFalse(Files.exists(dir.resolve("a")));

            write(file, "hello\n");

            assertEquals("hello\n", read(path));
            assertEquals(path, file.path());
        }
    }

    @Test
    void aPrefixedWriteGoesWholeIntoOneFileAndRotatesOnItsWholeSize() throws IOException {
        Path path = dir.resolve("web-1.out.log");
        try (RotatingFile file = new RotatingFile(path, 12, 1, err)) {
            byte[] line = "line\n".getBytes(UTF_8);
            file.write("T1 ".getBytes(UTF_8), line, 0, line.length);
            assertEquals("T1 line\n", read(path));

            file.write("T2 ".getBytes(UTF_8), line, 0, line.length);

            assertEquals("T1 line\n", read(dir.resolve("web-1.out.log.1")), "8 + 8 bytes would pass 12: rotated");
            assertEquals("T2 line\n", read(path));
            file.write("T3 ".getBytes(UTF_8), line, 0, 0);
            assertEquals("T2 line\nT3 ", read(path), "a prefix alone is written too");
        }
        assertEquals(List.of(), errLines());
    }

    @Test
    void appendsToAnExistingFile() throws IOException {
        Path path = dir.resolve("web-1.out.log");
        Files.writeString(path, "old\n");
        try (RotatingFile file = new RotatingFile(path, 0, 0, err)) {
            write(file, "new\n");
        }
        assertEquals("old\nnew\n", read(path));
    }

    @Test
    void writesTheGivenSliceOnly() throws IOException {
        Path path = dir.resolve("web-1.out.log");
        try (RotatingFile file = new RotatingFile(path, 0, 0, err)) {
            file.write("xxabc\nyy".getBytes(UTF_8), 2, 4);
        }
        assertEquals("abc\n", read(path));
    }

    @Test
    void rotationKeepsExactlyBackupsFilesWithNewestContentInLiveFile() throws IOException {
        Path path = dir.resolve("web-1.out.log");
        try (RotatingFile file = new RotatingFile(path, 20, 3, err)) {
            for (int i = 0; i < 50; i++) {
                write(file, String.format("line %03d\n", i)); // 9 bytes: two per file
            }
        }
        assertEquals("line 048\nline 049\n", read(path));
        assertEquals("line 046\nline 047\n", read(dir.resolve("web-1.out.log.1")));
        assertEquals("line 044\nline 045\n", read(dir.resolve("web-1.out.log.2")));
        assertEquals("line 042\nline 043\n", read(dir.resolve("web-1.out.log.3")));
        assertFalse(Files.exists(dir.resolve("web-1.out.log.4")));
        try (var files = Files.list(dir)) {
            assertEquals(4, files.count());
        }
    }

    @Test
    void rotatesOnlyWhenTheWriteWouldExceedMaxBytes() throws IOException {
        Path path = dir.resolve("web-1.out.log");
        try (RotatingFile file = new RotatingFile(path, 10, 1, err)) {
            write(file, "1234\n");
            write(file, "5678\n"); // exactly 10: stays
            assertFalse(Files.exists(dir.resolve("web-1.out.log.1")));

            write(file, "9\n"); // 12: rotates first
        }
        assertEquals("9\n", read(path));
        assertEquals("1234\n5678\n", read(dir.resolve("web-1.out.log.1")));
    }

    @Test
    void sizeFoundOnOpenCountsTowardsRotation() throws IOException {
        Path path = dir.resolve("web-1.out.log");
        Files.writeString(path, "12345678\n");
        try (RotatingFile file = new RotatingFile(path, 10, 1, err)) {
            write(file, "abc\n");
        }
        assertEquals("abc\n", read(path));
        assertEquals("12345678\n", read(dir.resolve("web-1.out.log.1")));
    }

    @Test
    void writeLargerThanMaxBytesGoesWholeIntoAFreshFile() throws IOException {
        Path path = dir.resolve("web-1.out.log");
        try (RotatingFile file = new RotatingFile(path, 4, 1, err)) {
            write(file, "a very long line\n");
            assertFalse(Files.exists(dir.resolve("web-1.out.log.1")), "an empty file is not rotated");
            write(file, "b\n");
        }
        assertEquals("b\n", read(path));
        assertEquals("a very long line\n", read(dir.resolve("web-1.out.log.1")));
    }

    @Test
    void zeroBackupsTruncatesInsteadOfRotating() throws IOException {
        Path path = dir.resolve("web-1.out.log");
        try (RotatingFile file = new RotatingFile(path, 10, 0, err)) {
            write(file, "1234\n");
            write(file, "5678\n");
            write(file, "9\n");
            write(file, "a\n");
        }
        assertEquals("9\na\n", read(path));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void zeroMaxBytesNeverRotates() throws IOException {
        Path path = dir.resolve("web-1.out.log");
        StringBuilder expected = new StringBuilder();
        try (RotatingFile file = new RotatingFile(path, 0, 3, err)) {
            for (int i = 0; i < 1000; i++) {
                String line = "line " + i + "\n";
                write(file, line);
                expected.append(line);
            }
        }
        assertEquals(expected.toString(), read(path));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void reopenAfterExternalRenameWritesToAFreshFileAtTheOriginalPath() throws IOException {
        Path path = dir.resolve("web-1.out.log");
        Path moved = dir.resolve("web-1.out.log-20260101");
        try (RotatingFile file = new RotatingFile(path, 0, 0, err)) {
            write(file, "before\n");
            Files.move(path, moved);
            write(file, "still old\n"); // no SIGUSR1 yet: goes to the moved file

            file.reopen();
            write(file, "after\n");
        }
        assertEquals("before\nstill old\n", read(moved));
        assertEquals("after\n", read(path));
    }

    @Test
    void reopenAfterExternalRenameStartsRotationSizeAfresh() throws IOException {
        Path path = dir.resolve("web-1.out.log");
        try (RotatingFile file = new RotatingFile(path, 10, 1, err)) {
            write(file, "12345678\n");
            Files.move(path, dir.resolve("elsewhere.log"));
            file.reopen();
            write(file, "abc\n");
        }
        assertEquals("abc\n", read(path));
        assertFalse(Files.exists(dir.resolve("web-1.out.log.1")));
    }

    @Test
    void reopenBeforeAnyWriteCreatesNothing() {
        Path path = dir.resolve("web-1.out.log");
        try (RotatingFile file = new RotatingFile(path, 0, 0, err)) {
            file.reopen();
        }
        assertFalse(Files.exists(path));
    }

    @Test
    void writeFailureIsReportedOncePerEpisodeAndTheDataDropped() throws IOException {
        Path blocker = dir.resolve("logs");
        Path path = blocker.resolve("web-1.out.log");
        Files.writeString(blocker, "a file where the log folder should be");
        try (RotatingFile file = new RotatingFile(path, 0, 0, err)) {
            write(file, "lost 1\n");
            write(file, "lost 2\n");
            write(file, "lost 3\n");
            assertEquals(1, errLines().size(), errBytes.toString(UTF_8));
            assertTrue(errLines().get(0).startsWith("baton: log file " + path + ": write failed: "),
                    errLines().get(0));

            Files.delete(blocker);
            write(file, "kept\n");
            assertEquals("kept\n", read(path));

            Files.delete(path);
            Files.delete(blocker);
            Files.writeString(blocker, "blocked again");
            file.reopen(); // a new episode: reported again
            write(file, "lost 4\n");
            write(file, "lost 5\n");
        }
        assertEquals(2, errLines().size(), errBytes.toString(UTF_8));
    }

    @Test
    void writesAfterCloseAreDroppedSilently() throws IOException {
        Path path = dir.resolve("web-1.out.log");
        RotatingFile file = new RotatingFile(path, 0, 0, err);
        write(file, "one\n");
        file.close();
        write(file, "two\n");
        file.close();

        assertEquals("one\n", read(path));
        assertEquals(List.of(), errLines());
    }

    @Test
    void describeNamesTheCauseOfBareFileSystemExceptions() {
        assertEquals("no such file or directory (/x)",
                RotatingFile.describe(new java.nio.file.NoSuchFileException("/x")));
        assertEquals("permission denied (/x)",
                RotatingFile.describe(new java.nio.file.AccessDeniedException("/x")));
        assertEquals("No space left on device", RotatingFile.describe(new IOException("No space left on device")));
    }
}
