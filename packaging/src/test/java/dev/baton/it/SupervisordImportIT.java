package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code baton import} against the real supervisord (Debian package {@code supervisor}): the same configuration,
 * run once by {@code supervisord -n} (as Debian's unit runs it, from /) and once by {@code baton run} on the imported
 * file, starts the same processes: command lines, working folders, environments, user and umask, compared from what
 * each process reports about itself (fixtures/probe.py).
 */
class SupervisordImportIT {

    /** Variables each supervisor adds by design, which the other does not set. */
    private static final Set<String> SUPERVISORD_ONLY = Set.of("SUPERVISOR_ENABLED", "SUPERVISOR_PROCESS_NAME",
            "SUPERVISOR_GROUP_NAME", "SUPERVISOR_SERVER_URL");
    private static final Set<String> BATON_ONLY = Set.of("BATON_PROGRAM", "BATON_WORKER", "BATON_GENERATION");
    /** Baton sets it to 1 unless it is set already. */
    private static final String UNBUFFERED = "PYTHONUNBUFFERED";
    /**
     * PWD: Baton's workers get their working folder (the shell that starts them sets it), supervisord's keep
     * supervisord's own, which names another folder.
     */
    private static final Set<String> DIFFERENT_BY_DESIGN = Set.of("PWD");
    /** Baton sets these to the user's when it switches user (as su and systemd's User= do); supervisord does not. */
    private static final Set<String> USER_VARIABLES = Set.of("HOME", "USER", "LOGNAME");

    /** Both supervisors get this PATH: one where user nobody can run what it finds (no ~root/.pyenv shims). */
    private static final String PATH = "/usr/local/bin:/usr/bin:/bin";

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    @Test
    void theImportedFileStartsTheSameProcessesAsSupervisordDoes() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = sandbox.dir();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(dir.resolve("app"));
        Files.createDirectories(dir.resolve("logs"));
        Files.createDirectories(dir.resolve("conf.d"));
        sandbox.copyFixture("probe.py");
        Files.move(dir.resolve("probe.py"), dir.resolve("app/probe.py"));
        sandbox.write("supervisord.conf", """
                ; supervisor config file, shaped like Debian's

                [unix_http_server]
                file=%(here)s/supervisor.sock   ; (the path to the socket file)
                chmod=0700                       ; sockef file mode (default 0700)

                [supervisord]
                logfile=%(here)s/supervisord.log ; (main log file;default $CWD/supervisord.log)
                pidfile=%(here)s/supervisord.pid ; (supervisord pidfile;default supervisord.pid)
                childlogdir=%(here)s/logs        ; ('AUTO' child log dir, default $TEMP)
                environment=SHARED="from supervisord",LIST="a,b"

                ; the below section must remain in the config file for RPC
                [rpcinterface:supervisor]
                supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

                [supervisorctl]
                serverurl=unix://%(here)s/supervisor.sock ; use a unix:// URL  for a unix socket

                [include]
                files = conf.d/*.conf
                """);
        sandbox.write("conf.d/web.conf", """
                [program:web]
                command=python3 %(here)s/../app/probe.py --name %(program_name)s-%(process_num)02d
                    --bind 127.0.0.1:80%(process_num)02d --workers %(numprocs)d
                process_name=%(program_name)s_%(process_num)02d
                numprocs=2
                numprocs_start=1
                directory=%(here)s/../app
                environment=APP_ENV="production",GREETING='hello, world',FROM_HOME="%(ENV_HOME)s"
                stopasgroup=true
                stdout_logfile=%(here)s/../logs/%(program_name)s-%(process_num)d.log
                stderr_logfile=NONE
                """);
        sandbox.write("conf.d/jobs.conf", """
                [program:jobs]
                command = python3 probe.py --name jobs --queues "high, low"   ; a celery-like worker
                directory = %%(here)s/../app
                %s
                umask = 002
                environment = C_FORCE_ROOT=false , SHARED="overridden"
                redirect_stderr = true

                [program:cron]
                command = python3 %%(here)s/../app/probe.py --name cron

                [group:app]
                programs = web,jobs
                priority = 100
                """.formatted(root ? "user = nobody" : ""));

        Map<String, Map<String, Object>> bySupervisord = runSupervisord(dir, 4);

        Cli.Result imported = Cli.run(dir, "import", dir.resolve("supervisord.conf").toString());
        assertEquals(0, imported.exit(), imported::toString);
        assertAll("every option that does not carry over is named on stderr",
                () -> assertTrue(imported.err().contains("[unix_http_server]"), imported::toString),
                () -> assertTrue(imported.err().contains("[supervisord] logfile"), imported::toString),
                () -> assertTrue(imported.err().contains("[program:cron]"), imported::toString));
        sandbox.write("baton.toml", imported.out());
        Cli.Result check = sandbox.baton("check");
        assertEquals(0, check.exit(), () -> check + "\n" + imported.out());

        Path batonOut = Files.createDirectories(dir.resolve("out-baton"));
        Files.setPosixFilePermissions(batonOut, PosixFilePermissions.fromString("rwxrwxrwx"));
        sandbox.daemonEnvironment("PROBE_OUT", batonOut.toString());
        sandbox.daemonEnvironment("PATH", PATH);
        sandbox.startDaemon();
        Map<String, Map<String, Object>> byBaton = reports(batonOut, 4);

        assertEquals(bySupervisord.keySet(), byBaton.keySet(), "the same processes");
        for (String name : bySupervisord.keySet()) {
            Map<String, Object> s = bySupervisord.get(name);
            Map<String, Object> b = byBaton.get(name);
            boolean switched = root && name.equals("jobs");
            Map<String, Object> batonEnv = environment(b, BATON_ONLY, switched);
            if (!env(s).containsKey(UNBUFFERED)) {
                assertEquals("1", batonEnv.remove(UNBUFFERED), name);
            }
            assertAll(name + "\n" + imported.out(),
                    () -> assertEquals(s.get("argv"), b.get("argv"), "command line"),
                    () -> assertEquals(s.get("cwd"), b.get("cwd"), "working folder"),
                    () -> assertEquals(s.get("uid"), b.get("uid"), "user"),
                    () -> assertEquals(s.get("gid"), b.get("gid"), "group"),
                    () -> assertEquals(s.get("umask"), b.get("umask"), "umask"),
                    () -> assertEquals(environment(s, SUPERVISORD_ONLY, switched), batonEnv, "environment"));
        }
        assertEquals(List.of("--workers", "2"), tail(byBaton.get("web-01"), 2), "%(numprocs)d expanded");
        assertEquals("0002", byBaton.get("jobs").get("umask"));
        assertEquals("overridden", env(byBaton.get("jobs")).get("SHARED"), "the program's environment wins");
        assertEquals("hello, world", env(byBaton.get("web-02")).get("GREETING"));
        assertEquals("/", byBaton.get("cron").get("cwd"), "no directory: supervisord's own, / as under systemd");
        assertEquals(byBaton.get("jobs").get("cwd"), env(byBaton.get("jobs")).get("PWD"), "PWD is the folder");
        assertEquals("2", env(byBaton.get("web-02")).get("BATON_WORKER"), "numprocs_start = 1: workers 1 and 2");
        Status status = sandbox.awaitRunning("web", 2);
        assertEquals(Set.of("web_01", "web_02"), status.workers().stream().filter(w -> w.program().equals("web"))
                .map(Status.Worker::name).collect(Collectors.toSet()), "process_name");
        sandbox.await("web_01's stdout in its supervisord-style log file",
                () -> Files.exists(dir.resolve("logs/web-1.log")));
    }

    /** Runs {@code supervisord -n} from / until {@code count} probes have reported, then stops it. */
    private Map<String, Map<String, Object>> runSupervisord(Path dir, int count) throws Exception {
        Path out = Files.createDirectories(dir.resolve("out-supervisord"));
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxrwxrwx"));
        ProcessBuilder builder = new ProcessBuilder("supervisord", "-n", "-c",
                dir.resolve("supervisord.conf").toString()).directory(Path.of("/").toFile())
                .redirectOutput(dir.resolve("supervisord.out").toFile())
                .redirectErrorStream(true);
        builder.environment().put("PROBE_OUT", out.toString());
        builder.environment().put("PATH", PATH);
        Process supervisord = builder.start();
        Map<String, Map<String, Object>> reports;
        try {
            sandbox.await(count + " processes started by supervisord", Duration.ofSeconds(60), () -> {
                if (!supervisord.isAlive()) {
                    fail("supervisord exited " + supervisord.exitValue() + "\n"
                            + Sandbox.read(dir.resolve("supervisord.out")) + Sandbox.read(dir.resolve("supervisord.log")));
                }
                return probes(out).size() + " reported; supervisord.log:\n" + Sandbox.read(dir.resolve("supervisord.log"));
            }, seen -> probes(out).size() >= count);
            reports = reports(out, count);
        } finally {
            supervisord.destroy();
            if (!supervisord.waitFor(30, TimeUnit.SECONDS)) {
                supervisord.destroyForcibly();
            }
        }
        for (Map<String, Object> report : reports.values()) {
            long pid = ((Number) report.get("pid")).longValue();
            sandbox.await("pid " + pid + " stopped with supervisord", () -> !Procs.alive(pid));
        }
        return reports;
    }

    private Map<String, Map<String, Object>> reports(Path out, int count) {
        sandbox.await(count + " probe reports in " + out, () -> probes(out).size() >= count);
        Map<String, Map<String, Object>> reports = new TreeMap<>();
        for (Path file : probes(out)) {
            String name = file.getFileName().toString().replaceFirst("\\.json$", "");
            reports.put(name, Json.object(Sandbox.read(file)));
        }
        return reports;
    }

    private static List<Path> probes(Path out) {
        try (Stream<Path> files = Files.list(out)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> env(Map<String, Object> report) {
        return (Map<String, Object>) report.get("env");
    }

    /** The report's environment without PROBE_OUT (each run has its own), {@code own} and, if switched, the user's. */
    private static Map<String, Object> environment(Map<String, Object> report, Set<String> own, boolean switched) {
        Map<String, Object> env = new TreeMap<>(env(report));
        env.remove("PROBE_OUT");
        env.keySet().removeAll(own);
        env.keySet().removeAll(DIFFERENT_BY_DESIGN);
        if (switched) {
            env.keySet().removeAll(USER_VARIABLES);
        }
        return env;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> tail(Map<String, Object> report, int n) {
        List<Object> argv = new ArrayList<>((List<Object>) report.get("argv"));
        return argv.subList(argv.size() - n, argv.size());
    }

}
