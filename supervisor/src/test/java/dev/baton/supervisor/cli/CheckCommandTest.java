package dev.baton.supervisor.cli;

import dev.baton.conf.BatonConfig;
import dev.baton.conf.ConfigLoader;
import dev.baton.conf.LogDestination;
import dev.baton.conf.ProgramConfig;
import dev.baton.conf.WorkerNaming;
import dev.baton.supervisor.process.Posix;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * baton check's warnings about a program's user (the real user nobody, on real folders and files made here by
 * root) and its log files' folders.
 */
class CheckCommandTest {

    @TempDir
    Path tmp;

    private Path dir;

    @BeforeEach
    void folders() throws Exception {
        dir = tmp.resolve("app");
        Files.createDirectories(dir);
        chmod(tmp, "rwxr-xr-x");
        chmod(dir, "rwxr-xr-x");
        Files.createDirectories(dir.resolve("private/code"));
        chmod(dir.resolve("private"), "rwx------");
        chmod(dir.resolve("private/code"), "rwxr-xr-x");
        Files.createDirectories(dir.resolve("open/bin"));
        chmod(dir.resolve("open"), "rwxr-xr-x");
        chmod(dir.resolve("open/bin"), "rwxr-xr-x");
        Files.writeString(dir.resolve("open/bin/run.sh"), "#!/bin/sh\nexec sleep 60\n");
        chmod(dir.resolve("open/bin/run.sh"), "rwx--x--x");
        Files.writeString(dir.resolve("open/bin/mine.sh"), "#!/bin/sh\nexec sleep 60\n");
        chmod(dir.resolve("open/bin/mine.sh"), "rwxr--r--");
        Files.writeString(dir.resolve("open/bin/ok.sh"), "#!/bin/sh\nexec sleep 60\n");
        chmod(dir.resolve("open/bin/ok.sh"), "rwxr-xr-x");
    }

    @Test
    void aUserThatCannotEnterTheDirectoryIsWarnedAboutWithTheFolderThatStopsIt() throws Exception {
        assumeRoot();
        Path file = write("""
                [program.web]
                command = "/bin/sleep 60"
                directory = "private/code"
                user = "nobody"

                [program.fine]
                command = "open/bin/ok.sh"
                user = "nobody"
                """);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] args = {"check", "-c", file.toString()};
        int exit = BatonCommand.create(new PrintWriter(out), new PrintWriter(err), args).execute(args);
        assertEquals(0, exit, err::toString);
        assertEquals("warning: program.web: user nobody cannot enter directory " + dir.resolve("private/code")
                + " (" + dir.resolve("private") + " is 0700 root:root)" + System.lineSeparator(), err.toString());
    }

    @Test
    void aUserThatCannotRunTheCommandIsWarnedAboutTheFileOrItsFolder() throws Exception {
        assumeRoot();
        Map<String, ProgramConfig> programs = programs("""
                [program.hidden]
                command = "private/code/run"
                user = "nobody"

                [program.noexec]
                command = "open/bin/mine.sh"
                user = "nobody"

                [program.unreadable]
                command = "open/bin/run.sh"
                user = "nobody"

                [program.root]
                command = "private/code/run"
                user = "root"
                """);
        Files.writeString(dir.resolve("private/code/run"), "#!/bin/sh\n");
        chmod(dir.resolve("private/code/run"), "rwxr-xr-x");
        assertEquals(List.of("user nobody cannot run command private/code/run (" + dir.resolve("private")
                + " is 0700 root:root)"), warnings(programs.get("hidden")));
        assertEquals(List.of("user nobody cannot run command open/bin/mine.sh (" + dir.resolve("open/bin/mine.sh")
                + " is 0744 root:root)"), warnings(programs.get("noexec")));
        assertEquals(List.of("user nobody cannot run command open/bin/run.sh (" + dir.resolve("open/bin/run.sh")
                + " is 0711 root:root, a script it cannot read)"), warnings(programs.get("unreadable")));
        assertEquals(List.of(), warnings(programs.get("root")), "root enters anything");
    }

    @Test
    void aSupplementaryGroupOfTheUserGrantsWhatTheGroupBitsSay() throws Exception {
        assumeRoot();
        Path shared = dir.resolve("shared");
        Files.createDirectories(shared);
        chmod(shared, "rwxr-x---");
        Files.setAttribute(shared, "unix:gid", 4242);
        Path groups = tmp.resolve("group");
        Files.writeString(groups, "root:x:0:\nstaff:x:4242:alice,nobody\nother:x:4343:alice\n");
        assertEquals(Set.of(4242), UserAccess.groupsOf("nobody", groups));
        UserAccess member = new UserAccess("nobody", 65534, 65534, UserAccess.groupsOf("nobody", groups));
        UserAccess stranger = new UserAccess("nobody", 65534, 65534, Set.of());
        assertTrue(member.cannotEnter(shared).isEmpty());
        assertTrue(stranger.cannotEnter(shared).orElseThrow().startsWith(shared + " is 0750 root:"));
    }

    @Test
    void aLogFilesFolderThatDoesNotExistIsWarnedAboutOncePerFolder() throws Exception {
        ProgramConfig web = programs("""
                [program.web]
                command = "/bin/sleep 60"
                numprocs = 2
                """).get("web");
        Files.createDirectories(dir.resolve("logs/web_01"));
        ProgramConfig logged = new ProgramConfig(web.name(), web.command(), web.directory(), web.environment(),
                web.numprocs(), web.autostart(), web.autorestart(), web.exitcodes(), web.startsecs(),
                web.startretries(), web.stopsignal(), web.stopwaitsecs(), web.stopasgroup(), web.killasgroup(),
                web.redirectStderr(), web.stdoutLogfileMaxbytes(), web.stdoutLogfileBackups(),
                web.stderrLogfileMaxbytes(), web.stderrLogfileBackups(), web.priority(), web.user(), web.reload(),
                web.proxy(), web.recycle(), new WorkerNaming(1, "{program}_{worker:02}"), web.umask(),
                LogDestination.file(dir.resolve("logs/{process_name}/out.log").toString()),
                LogDestination.file("/nonexistent/{program}.err"));
        assertEquals(List.of("stdout_logfile: folder " + dir.resolve("logs/web_02") + " does not exist",
                "stderr_logfile: folder /nonexistent does not exist"), warnings(logged));
    }

    private List<String> warnings(ProgramConfig p) {
        return CheckCommand.warnings(p, Map.of());
    }

    private BatonConfig config;

    private Map<String, ProgramConfig> programs(String toml) throws Exception {
        config = ConfigLoader.parse(toml, dir.resolve("baton.toml"), Map.of());
        Map<String, ProgramConfig> byName = new java.util.HashMap<>();
        config.programs().forEach(p -> byName.put(p.name(), p));
        return byName;
    }

    private Path write(String toml) throws Exception {
        Path file = dir.resolve("baton.toml");
        Files.writeString(file, "[baton]\nsocket = \"baton.sock\"\nlog_dir = \"logs\"\n\n" + toml);
        return file;
    }

    private static void assumeRoot() {
        assumeTrue(Posix.geteuid() == 0, "skipped: checking another user's access needs root (to make files"
                + " owned by root that user nobody may not enter); CI runs tests as root");
    }

    private static void chmod(Path path, String perms) throws Exception {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(perms));
    }
}
