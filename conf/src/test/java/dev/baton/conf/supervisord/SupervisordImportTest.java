package dev.baton.conf.supervisord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import dev.baton.conf.BatonConfig;
import dev.baton.conf.ConfigLoader;
import dev.baton.conf.LogDestination;
import dev.baton.conf.ProgramConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SupervisordImportTest {

    static final Path RESOURCES = Path.of("src/test/resources/supervisord").toAbsolutePath();
    static final Map<String, String> ENV = Map.of("HOME", "/home/deploy", "PATH", "/usr/bin:/bin");

    @TempDir
    Path dir;

    static SupervisordImport.Result debian() throws ImportException {
        return SupervisordImport.convert(RESOURCES.resolve("debian/supervisord.conf"), ENV, "vm");
    }

    private SupervisordImport.Result convert(String text) throws Exception {
        Path file = dir.resolve("supervisord.conf");
        Files.writeString(file, text);
        return SupervisordImport.convert(file, ENV, "vm");
    }

    private String error(String text) {
        return assertThrows(ImportException.class, () -> convert(text)).getMessage();
    }

    private static boolean hasNote(SupervisordImport.Result result, String section, String key) {
        return result.notes().stream().anyMatch(n -> n.section().equals(section) && n.key().equals(key));
    }

    @Test
    void debianLayoutWithIncludesConvertsToTheGoldenFile() throws Exception {
        Path debian = RESOURCES.resolve("debian");
        String expected = Files.readString(debian.resolve("expected.toml")).replace("@DIR@", debian.toString());
        assertEquals(expected, debian().toml());
    }

    @Test
    void notesNameTheSectionAndKeyOfWhatIsNotCarried() throws Exception {
        SupervisordImport.Result result = debian();
        assertTrue(hasNote(result, "program:celery", "stdout_events_enabled"));
        assertTrue(hasNote(result, "eventlistener:crashmail", ""));
        assertTrue(hasNote(result, "unix_http_server", ""));
        assertTrue(hasNote(result, "supervisorctl", ""));
        assertTrue(hasNote(result, "rpcinterface:supervisor", ""));
        assertTrue(hasNote(result, "supervisord", "logfile"));
        assertTrue(hasNote(result, "supervisord", "childlogdir"));
        // web and celery set stopasgroup or killasgroup and keep them; only beat takes Baton's default, said once
        List<SupervisordImport.Note> group = result.notes().stream().filter(n -> n.key().equals("stopasgroup"))
                .toList();
        assertEquals(1, group.size());
        assertEquals("program:beat", group.get(0).section());
        assertTrue(group.get(0).message().contains("Baton signals the whole process group by default"));
        assertTrue(result.notes().get(0).toString().startsWith("[supervisord] logfile: not carried: "),
                result.notes().get(0).toString());
    }

    @Test
    void everyOutputParsesAsABatonConfiguration() throws Exception {
        BatonConfig config = ConfigLoader.parse(debian().toml(), dir.resolve("baton.toml"), ENV);
        ProgramConfig web = config.program("web").orElseThrow();
        assertEquals(4, web.numprocs());
        assertEquals("web_03", web.workerName(web.workerNumber(3)));
        assertEquals(LogDestination.file("/var/log/app/web-{worker:02}.log"), web.stdoutLogfile());
        assertEquals("80{worker:02}", web.environment().get("PORT"));
        assertEquals("production", web.environment().get("APP_ENV"));
        ProgramConfig beat = config.program("beat").orElseThrow();
        assertEquals(java.util.OptionalInt.of(2), beat.umask());
        assertTrue(beat.command().get(2).contains("$(date)"), beat.command().toString());
        assertEquals(List.of("web", "celery"), config.group("app").orElseThrow().programs());
        assertEquals(LogDestination.NONE, config.program("celery").orElseThrow().stdoutLogfile());

        ConfigLoader.parse(convert("""
                [supervisord]
                directory = /srv
                [program:job]
                command = sh -c 'echo $HOME'
                numprocs = 2
                process_name = job-%(process_num)d
                environment = PRICE="$5"
                stdout_logfile = logs/%(program_name)s.log
                stopsignal = SIGINT
                """).toml(), dir.resolve("baton.toml"), ENV);
    }

    @Test
    void outputIsTheSameEveryTime() throws Exception {
        assertEquals(debian(), debian());
    }

    @Test
    void dollarsAreDoubledAndLiteralPlaceholdersAndOddKeysAreNoted() throws Exception {
        SupervisordImport.Result result = convert("""
                [supervisord]
                directory = /srv
                umask = 027
                nodaemon = true

                [program:job]
                command = sh -c 'echo $HOME {port}'   # not %(process_num)d
                numprocs = 2
                numprocs_start = 1
                process_name = job-%(process_num)d
                environment = PRICE="$5"
                stdout_logfile = logs/%(program_name)s.log
                stderr_logfile = syslog
                stopsignal = SIGINT
                autorestart = false
                mystery = 1

                [fcgi-program:php]
                command = php-cgi
                socket = tcp://127.0.0.1:9000
                """);
        String toml = result.toml();
        assertTrue(toml.contains("command = \"sh -c 'echo $$HOME {port}'\"\n"), toml);
        assertTrue(toml.contains("process_name = \"job-{worker}\"\nnumprocs = 2\nnumprocs_start = 1\n"
                + "directory = \"/srv\"\numask = \"027\"\nautorestart = false\nstopsignal = \"INT\"\n"
                + "stdout_logfile = \"/srv/logs/job.log\"\n"), toml);
        assertTrue(toml.contains("PRICE = \"$$5\""), toml);
        assertTrue(hasNote(result, "program:job", "command"), "{port} is a placeholder in Baton");
        assertTrue(hasNote(result, "program:job", "stderr_logfile"), "syslog");
        assertTrue(hasNote(result, "program:job", "mystery"));
        assertTrue(hasNote(result, "supervisord", "nodaemon"));
        assertTrue(hasNote(result, "fcgi-program:php", ""));
        assertFalse(hasNote(result, "program:job", "directory"), "[supervisord] directory is the default");
    }

    @Test
    void aMissingFileIsAOneLineError() {
        Path missing = dir.resolve("nope.conf");
        ImportException e = assertThrows(ImportException.class,
                () -> SupervisordImport.convert(missing, ENV, "vm"));
        assertEquals(missing + ": cannot read: no such file", e.getMessage());
    }

    @Test
    void aSyntaxErrorNamesFileAndLine() {
        assertEquals(dir.resolve("supervisord.conf") + ":3: \"oops\" is neither a [section] header, a"
                + " \"key = value\" line nor a continuation (indented deeper than its key)",
                error("[program:a]\ncommand=true\noops\n"));
    }

    @Test
    void aSyntaxErrorInAnIncludedFileNamesThatFile() throws Exception {
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("conf.d/bad.conf"), "[program:b]\n\ncommand true\n");
        assertEquals(dir.resolve("conf.d/bad.conf") + ":3: \"command true\" is neither a [section] header, a"
                        + " \"key = value\" line nor a continuation (indented deeper than its key)",
                error("[supervisord]\n[include]\nfiles = %(here)s/conf.d/*.conf\n"));
    }

    @Test
    void aBadExpansionNamesTheOptionAndTheAvailableNames() {
        String message = error("[supervisord]\n\n[program:a]\ncommand = run %(programname)s\n");
        assertEquals(dir.resolve("supervisord.conf") + ":4: [program:a] command: %(programname)s cannot be"
                + " expanded; available names: group_name, here, host_node_name, numprocs, process_num,"
                + " program_name and ENV_X for each environment variable X", message);
    }

    @Test
    void optionsSupervisordRejectsAreErrors() {
        assertTrue(error("[program:a]\ncommand = run\nnumprocs = 3\n").endsWith(
                "[program:a] process_name: %(process_num) must be present within process_name when numprocs > 1"));
        assertTrue(error("[program:a]\ncommand = run\nstopasgroup = true\nkillasgroup = false\n")
                .endsWith("cannot set stopasgroup=true and killasgroup=false"));
        assertTrue(error("[program:a]\nautostart = true\n").endsWith("[program:a] does not specify a command"));
        assertTrue(error("[program:a]\ncommand = x\nautostart = maybe\n")
                .endsWith("[program:a] autostart: not a valid boolean value: \"maybe\""));
        assertTrue(error("[group:g]\nprograms = a, b\n[program:a]\ncommand = x\n")
                .endsWith("[group:g] programs: names unknown program or fcgi-program \"b\""));
        assertTrue(error("[program:a]\ncommand = x\nenvironment = A=\"1,B=2\n")
                .contains("[program:a] environment: no closing quotation"));
    }
}
