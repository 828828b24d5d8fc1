package dev.baton.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.conf.BatonConfig;
import dev.baton.conf.ConfigLoader;
import dev.baton.conf.supervisord.SupervisordImport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/migrating-from-supervisord.md true: its worked example is the files of conf/examples/supervisord and
 * what {@code baton import} prints for them, and its tables name every option supervisord 4.2 has.
 */
class MigrationGuideTest {

    private static final Path DOCS = Path.of(System.getProperty("baton.docs", "../docs"));
    private static final Path EXAMPLE = Path.of(System.getProperty("baton.examples", "../conf/examples"))
            .resolve("supervisord").toAbsolutePath().normalize();
    /** Where the guide shows the example's files. */
    private static final String SHOWN_AT = "/etc/supervisor";

    /** Every option of supervisord 4.2's sections (its configuration docs), which the guide's tables must name. */
    private static final List<String> OPTIONS = List.of("command", "process_name", "numprocs", "numprocs_start",
            "priority", "autostart", "startsecs", "startretries", "autorestart", "exitcodes", "stopsignal",
            "stopwaitsecs", "stopasgroup", "killasgroup", "user", "redirect_stderr", "stdout_logfile",
            "stdout_logfile_maxbytes", "stdout_logfile_backups", "stdout_capture_maxbytes", "stdout_events_enabled",
            "stdout_syslog", "stderr_logfile", "stderr_logfile_maxbytes", "stderr_logfile_backups",
            "stderr_capture_maxbytes", "stderr_events_enabled", "stderr_syslog", "environment", "directory", "umask",
            "serverurl", "programs", "files", "logfile", "logfile_maxbytes", "logfile_backups", "loglevel", "pidfile",
            "nodaemon", "silent", "minfds", "minprocs", "nocleanup", "childlogdir", "strip_ansi", "identifier",
            "[unix_http_server]", "[inet_http_server]", "[supervisorctl]", "[rpcinterface:x]", "[eventlistener:x]",
            "[fcgi-program:x]", "[group:x]", "[include]");

    private final String guide = read(DOCS.resolve("migrating-from-supervisord.md"));

    @Test
    void theWorkedExampleShowsTheExampleFilesAndWhatBatonImportPrintsForThem() throws Exception {
        List<String> ini = blocks("ini");
        assertEquals(read(EXAMPLE.resolve("supervisord.conf")), ini.get(0), "the main file");
        assertEquals(read(EXAMPLE.resolve("conf.d/shop.conf")), ini.get(1), "the included file");

        SupervisordImport.Result imported = SupervisordImport.convert(EXAMPLE.resolve("supervisord.conf"),
                Map.of("HOME", "/root"), "app1");
        assertEquals(imported.toml().replace(EXAMPLE.toString(), SHOWN_AT), blocks("toml").get(0), "the output");
        assertEquals(imported.notes().stream().map(n -> "baton import: " + n + "\n").collect(Collectors.joining()),
                blocks("console").stream().filter(b -> b.startsWith("baton import:")).findFirst().orElse(""),
                "the notes on standard error");

        BatonConfig config = ConfigLoader.parse(blocks("toml").get(0), Path.of("/etc/baton/baton.toml"), Map.of());
        assertEquals(List.of("web", "celery"), config.group("shop").orElseThrow().programs());
        assertEquals("web_01", config.program("web").orElseThrow().workerName(1));
    }

    @Test
    void theTablesNameEverySupervisordOption() {
        List<String> missing = OPTIONS.stream().filter(o -> !guide.contains("`" + o + "`")
                && !guide.contains("`" + o + " ") && !guide.contains(" " + o + "`")).toList();
        assertTrue(missing.isEmpty(), "options the guide does not name: " + missing);
    }

    /** The contents of every fenced block of {@code language}, in order. */
    private List<String> blocks(String language) {
        Matcher m = Pattern.compile("```" + language + "\n(.*?)```", Pattern.DOTALL).matcher(guide);
        List<String> found = new ArrayList<>();
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
