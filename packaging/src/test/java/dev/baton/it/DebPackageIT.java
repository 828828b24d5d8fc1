package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Debian package, installed with {@code dpkg --root} into a scratch root under the test's folder (never onto
 * this machine; see {@link ScratchRoot}): where its files go, its systemd unit ({@code systemd-analyze verify}), the
 * example configuration, the unit's own commands run the way systemd runs them, and remove and purge.
 *
 * <p>systemd does not run the service here (PID 1 need not be systemd), so the test plays its part: it creates the
 * unit's {@code RuntimeDirectory} and {@code LogsDirectory} inside the root, points the installed configuration's
 * {@code socket} and {@code log_dir} (which name those directories) into the root, runs {@code ExecStart} and
 * {@code ExecReload} as written in the installed unit with their absolute paths taken inside the root and a
 * service's environment, and stops the daemon with SIGTERM to it alone ({@code KillMode=mixed}) within
 * {@code TimeoutStopSec}. The package itself is built by the package phase; dpkg needs root.
 */
class DebPackageIT {

    /** The package under test, set by failsafe (packaging/target/baton_VERSION_all.deb). */
    private static final Path DEB = Path.of(Cli.required("baton.deb"));
    private static final String UNIT = "/lib/systemd/system/baton.service";
    private static final String CONFIG = "/etc/baton/baton.toml";
    private static final Pattern DAEMON_KEY = Pattern.compile("(?m)^(socket|log_dir) = \"(/[^\"]*)\"");

    /**
     * Run by sh in a fresh mount namespace: $1 is the test's folder, the rest the command. The folder is held on
     * /mnt while a noexec tmpfs covers /tmp, then bound back to its place.
     */
    private static final String HARDEN = """
            dir=$1; shift
            mount --bind "$dir" /mnt
            mount -t tmpfs -o noexec,nosuid,nodev,mode=1777 tmpfs /tmp
            mkdir -p "$dir"
            mount --bind /mnt "$dir"
            for home in /root /home; do
                if [ -d "$home" ]; then mount --bind "$home" "$home" && mount -o remount,bind,ro "$home"; fi
            done
            exec "$@"
            """;

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private ScratchRoot root;
    private Daemon daemon;

    @BeforeEach
    void install() throws IOException {
        assertEquals("root", System.getProperty("user.name"), "dpkg installs need root (CI runs as root)");
        assertTrue(Files.isRegularFile(DEB), DEB + " is missing: run the packaging module's package phase first");
        // Open like /: the example's worker runs as nobody, in /etc/baton of the root.
        Files.setPosixFilePermissions(sandbox.dir(), PosixFilePermissions.fromString("rwxr-xr-x"));
        root = ScratchRoot.create(sandbox.dir().resolve("root"));
        root.install(DEB);
    }

    @AfterEach
    void killDaemon() {
        if (daemon != null && daemon.alive()) {
            daemon.kill(); // its workers get their stopsignal (parent death); the sandbox sweeps up the rest
        }
    }

    @Test
    void installsTheCommandTheDistributionTheUnitAndTheConffileAndDoesNotEnableTheService() throws IOException {
        Path launcher = root.path("/usr/bin/baton");
        Cli.Result fields = Cli.exec(new ProcessBuilder("dpkg-deb", "--field", DEB.toString(),
                "Package", "Version", "Architecture", "Section", "Priority", "Depends"));
        Cli.Result conffiles = Cli.exec(new ProcessBuilder("dpkg-deb", "--info", DEB.toString(), "conffiles"));
        Cli.Result version = baton("version");
        // -Xshare:on: the JVM refuses to start unless it can map the archive postinst dumped for it.
        ProcessBuilder sharing = root.process(root.reroot(List.of("/usr/bin/baton", "version")));
        sharing.environment().put("JAVA_OPTS", "-Xshare:on");
        Cli.Result archived = Cli.exec(sharing);
        Cli.Result triggers = Cli.exec(new ProcessBuilder("dpkg-deb", "--info", DEB.toString(), "triggers"));

        assertAll(
                () -> assertEquals("installed", root.status("baton")),
                () -> assertEquals("""
                        Package: baton
                        Version: 0.1.0
                        Architecture: all
                        Section: admin
                        Priority: optional
                        Depends: default-jre-headless (>= 2:1.17) | java17-runtime-headless
                        """, fields.out(), fields::toString),
                () -> assertEquals(CONFIG + "\n", conffiles.out(), "the configuration is a conffile"),
                () -> assertTrue(Files.isSymbolicLink(launcher), "/usr/bin/baton is a symbolic link"),
                () -> assertEquals(Path.of("../share/baton/bin/baton"), Files.readSymbolicLink(launcher),
                        "a relative one, so that it resolves inside any root"),
                () -> assertTrue(Files.isExecutable(root.path("/usr/share/baton/bin/baton"))),
                () -> assertTrue(Files.isRegularFile(root.path("/usr/share/baton/lib/baton-supervisor-0.1.0.jar"))),
                () -> assertElf(root.path("/usr/share/baton/lib/native/libnetty_transport_native_epoll_x86_64.so")),
                () -> assertElf(root.path("/usr/share/baton/lib/native/libjnidispatch.so")),
                () -> assertTrue(Files.isRegularFile(root.path("/usr/share/baton/examples/baton.toml"))),
                () -> assertTrue(Files.isRegularFile(root.path(UNIT))),
                () -> assertTrue(Files.isRegularFile(root.path(CONFIG))),
                () -> assertFalse(Files.exists(root.path("/etc/systemd/system/multi-user.target.wants/baton.service"),
                        LinkOption.NOFOLLOW_LINKS), "the service is not enabled on install"),
                () -> assertEquals(0, version.exit(), version::toString),
                () -> assertTrue(Files.isRegularFile(root.path("/usr/share/baton/lib/baton-client.jsa")),
                        "postinst dumped the CLI's class-data sharing archive"),
                () -> assertTrue(Files.isRegularFile(root.path("/usr/share/baton/lib/baton-daemon.jsa")),
                        "and the daemon's"),
                () -> assertEquals(0, archived.exit(), () -> "the CLI maps that archive: " + archived),
                () -> assertTrue(triggers.out().contains("interest-noawait /usr/lib/jvm"),
                        () -> "a JVM change dumps it again: " + triggers),
                () -> assertTrue(version.out().startsWith("baton 0.1.0 "), version::toString));
    }

    @Test
    void theUnitVerifiesAndTheExampleConfigurationChecks() {
        Cli.Result verify = Cli.exec(new ProcessBuilder("systemd-analyze", "verify", "--root=" + root.dir(),
                "--recursive-errors=no", "baton.service"));
        Cli.Result check = baton("check", "-c", CONFIG);

        assertAll(
                () -> assertEquals(0, verify.exit(), verify::toString),
                () -> assertEquals("", verify.out() + verify.err(), () -> "no warning either\n" + verify),
                () -> assertEquals(0, check.exit(), check::toString),
                () -> assertTrue(check.out().contains("OK, 1 programs, 1 workers"), check::toString));
    }

    @Test
    void theUnitsCommandsRunReloadAndStopTheExampleGracefullyAndPurgeLeavesNothing() throws IOException {
        Service service = prepareService();
        SystemdUnit unit = service.unit();
        assertEquals("mixed", unit.get("KillMode"), "SIGTERM goes to Baton alone, which stops its workers");

        ProcessBuilder start = root.process(root.reroot(unit.command("ExecStart")));
        // -Xshare:on: the daemon refuses to start unless it can map the archive postinst dumped for it.
        start.environment().put("JAVA_OPTS", "-Xshare:on");
        daemon = startService(start);
        Status first = awaitStatusOk();
        Status.Worker worker = first.worker("example:0");
        assertEquals("nobody", Files.getOwner(Path.of("/proc/" + worker.pid())).getName(),
                "the example's worker runs as nobody");

        Cli.Result reload = Cli.exec(root.process(root.reroot(unit.command("ExecReload"))));
        Status second = awaitStatusOk();
        Status.Worker replaced = second.worker("example:0");

        daemon.signal("TERM");
        int exit = daemon.awaitExit(unit.duration("TimeoutStopSec"));
        assertAll(
                () -> assertEquals(0, reload.exit(), () -> reload + "\n" + daemon.tail()),
                () -> assertFalse(Procs.alive(worker.pid()), "the reload retired generation 1's worker"),
                () -> assertEquals(2, replaced.generation(), second::toString),
                () -> assertNotEquals(worker.pid(), replaced.pid()),
                () -> assertEquals(0, exit, daemon::tail),
                () -> assertTrue(daemon.stderr().contains("shutting down (SIGTERM): stopping every worker"),
                        daemon::tail),
                () -> assertFalse(Procs.alive(replaced.pid()), "the worker is gone once Baton has exited"),
                () -> assertEquals(List.of(), Procs.runningIn(root.dir()), "nothing runs in the root"),
                () -> assertFalse(Files.exists(service.runtime().resolve("baton.sock")), "control socket removed"));

        deleteTree(service.runtime()); // systemd removes the RuntimeDirectory when the service has stopped
        Cli.Result purge = root.dpkg("--purge", "baton");
        assertAll(
                () -> assertEquals(0, purge.exit(), purge::toString),
                () -> assertEquals("not-installed", root.status("baton")),
                () -> assertFalse(Files.exists(service.logs()), "purge deletes the LogsDirectory"),
                () -> assertEquals(List.of(), root.files(), "purge leaves no file behind"));
    }

    @Test
    void installingThePackageOverARunningBatonUpgradesItWithoutLosingARequest() throws IOException {
        Service service = prepareService();
        SystemdUnit unit = service.unit();
        assertEquals("notify", unit.get("Type"), "systemd waits for READY=1 and follows MAINPID= after an upgrade");
        assertEquals("all", unit.get("NotifyAccess"), "the new daemon, started by the old one, may notify");
        int port = Http.freePort();
        Path config = root.path(CONFIG);
        Files.writeString(config, Files.readString(config).replace("command = \"sleep infinity\"",
                "command = \"python3 -m http.server {port} --bind 127.0.0.1\"\nlisten = \"127.0.0.1:" + port
                        + "\"\nnumprocs = 2"));
        daemon = startService(root.process(root.reroot(unit.command("ExecStart"))));
        Status before = awaitStatusOk();

        Paced paced = Paced.start(port, "/", 100, java.time.Duration.ofMinutes(5));
        Cli.Result reinstall;
        try {
            sandbox.await("paced GETs answered", () -> paced.ok() >= 50 || !paced.failures().isEmpty());
            reinstall = root.dpkg("--force-depends", "--install", DEB.toString()); // its postinst upgrades Baton
            long answered = paced.ok();
            sandbox.await("paced GETs answered by the new daemon", () -> paced.ok() >= answered + 50
                    || !paced.failures().isEmpty());
        } finally {
            paced.stop();
        }
        int oldExit = daemon.awaitExit(java.time.Duration.ofSeconds(30));
        Status after = Status.parse(sandbox.await("the new daemon's status", () -> baton("status", "--json", "-c",
                CONFIG), result -> result.exit() == 0));
        Cli.Result shutdown = baton("shutdown", "-c", CONFIG);
        sandbox.awaitGone("the upgraded daemon", after.daemonPid());
        assertAll(
                () -> assertEquals(0, reinstall.exit(), reinstall::toString),
                () -> assertTrue(reinstall.out().contains("baton: the running Baton was upgraded without a gap"),
                        reinstall::toString),
                () -> assertNotEquals(before.daemonPid(), after.daemonPid(), after::toString),
                () -> assertEquals(0, oldExit, daemon::tail),
                () -> assertEquals(List.of(), paced.failures(), paced::toString),
                () -> assertEquals(0, paced.count(Paced.Outcome.REFUSED), paced::toString),
                () -> assertEquals(0, shutdown.exit(), shutdown::toString));
    }

    @Test
    void removeKeepsTheEditedConffileAndPurgeDeletesIt() throws IOException {
        Path config = root.path(CONFIG);
        Files.writeString(config, Files.readString(config) + "\n# edited by the operator\n");

        Cli.Result remove = root.dpkg("--remove", "baton");
        List<String> afterRemove = root.files();
        Cli.Result purge = root.dpkg("--purge", "baton");

        assertAll(
                () -> assertEquals(0, remove.exit(), remove::toString),
                () -> assertTrue(afterRemove.contains(CONFIG), () -> "conffile kept: " + afterRemove),
                () -> assertFalse(afterRemove.contains("/usr/bin/baton"), () -> "command removed: " + afterRemove),
                () -> assertFalse(afterRemove.contains(UNIT), () -> "unit removed: " + afterRemove),
                () -> assertTrue(afterRemove.stream().noneMatch(f -> f.startsWith("/usr/")), afterRemove::toString),
                () -> assertEquals(0, purge.exit(), purge::toString),
                () -> assertEquals("not-installed", root.status("baton")),
                () -> assertEquals(List.of(), root.files(), "purge deletes the conffile and the unit's state"),
                () -> assertFalse(Files.exists(root.path("/etc/baton")), "and /etc/baton"));
    }

    /**
     * A hardened service's temporary folder may be mounted noexec and its home read-only ({@code ProtectHome=}):
     * the JNI libraries must then load from lib/native, as the launcher arranges, never be unpacked and mapped
     * from a temporary file. The test runs ExecStart in a mount namespace of its own with a noexec tmpfs on /tmp
     * (the test's folder bound back into it) and /root and /home read-only.
     */
    @Test
    void underANoexecTmpAndAReadOnlyHomeTheServiceLoadsItsNativeLibrariesFromLibNative() throws IOException {
        Cli.Result namespaces = Cli.exec(new ProcessBuilder("unshare", "--mount", "true"));
        assertEquals(0, namespaces.exit(), () -> "mount namespaces (unshare --mount needs CAP_SYS_ADMIN): " + namespaces);
        SystemdUnit unit = prepareService().unit();

        List<String> command = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private",
                "sh", "-ec", HARDEN, "harden", sandbox.dir().toString()));
        command.addAll(root.reroot(unit.command("ExecStart")));
        daemon = startService(root.process(command));
        awaitStatusOk();
        List<String> executable = Files.readAllLines(Path.of("/proc/" + daemon.pid() + "/maps")).stream()
                .map(line -> line.split("\\s+", 6)).filter(f -> f.length == 6 && f[1].contains("x"))
                .map(f -> f[5].strip()).filter(f -> f.startsWith("/")).distinct().toList();
        Path natives = root.path("/usr/share/baton/lib/native");

        daemon.signal("TERM");
        assertAll(
                () -> assertTrue(executable.contains(natives.resolve("libnetty_transport_native_epoll_x86_64.so")
                        .toString()), () -> "Netty's epoll library mapped from lib/native: " + executable),
                () -> assertTrue(executable.contains(natives.resolve("libjnidispatch.so").toString()),
                        () -> "JNA's library mapped from lib/native: " + executable),
                () -> assertTrue(executable.stream().noneMatch(f -> f.endsWith("(deleted)")),
                        () -> "nothing unpacked, mapped and deleted: " + executable),
                () -> assertEquals(0, daemon.awaitExit(unit.duration("TimeoutStopSec")), daemon::tail));
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    /** The installed unit, and where its RuntimeDirectory and LogsDirectory are on this machine. */
    private record Service(SystemdUnit unit, Path runtime, Path logs) {
    }

    /**
     * Does what systemd does before it starts the unit: creates its RuntimeDirectory and LogsDirectory (in the
     * root); and points the installed configuration at them there.
     */
    private Service prepareService() throws IOException {
        SystemdUnit unit = SystemdUnit.read(root.path(UNIT));
        Path runtime = Files.createDirectories(root.path("/run/" + unit.get("RuntimeDirectory")));
        Path logs = Files.createDirectories(root.path("/var/log/" + unit.get("LogsDirectory")));
        pointDaemonKeysInto(runtime, logs);
        return new Service(unit, runtime, logs);
    }

    /** The installed {@code baton ARGS...}; absolute paths among the arguments are taken inside the root. */
    private Cli.Result baton(String... args) {
        List<String> command = new ArrayList<>(List.of("/usr/bin/baton"));
        command.addAll(Arrays.asList(args));
        return Cli.exec(root.process(root.reroot(command)));
    }

    /**
     * Rewrites the installed configuration's {@code socket} and {@code log_dir} into the root, after checking that
     * they name the unit's runtime and logs directories (the configuration and the unit must agree).
     */
    private void pointDaemonKeysInto(Path runtime, Path logs) throws IOException {
        Path config = root.path(CONFIG);
        String text = Files.readString(config);
        Matcher m = DAEMON_KEY.matcher(text);
        StringBuilder rewritten = new StringBuilder();
        List<String> seen = new ArrayList<>();
        while (m.find()) {
            Path inRoot = root.path(m.group(2));
            Path expected = m.group(1).equals("socket") ? runtime : logs;
            assertTrue(m.group(1).equals("socket") ? inRoot.getParent().equals(expected) : inRoot.equals(expected),
                    () -> CONFIG + ": " + m.group() + " is not in the unit's directory " + expected);
            m.appendReplacement(rewritten, Matcher.quoteReplacement(m.group(1) + " = \"" + inRoot + "\""));
            seen.add(m.group(1));
        }
        m.appendTail(rewritten);
        assertEquals(List.of("socket", "log_dir"), seen, CONFIG + " sets socket and log_dir, once each");
        Files.writeString(config, rewritten);
    }

    /** Starts {@code service} (the unit's ExecStart, re-rooted), its output to files in the test's folder. */
    private Daemon startService(ProcessBuilder service) {
        Path out = sandbox.dir().resolve("service.out");
        Path err = sandbox.dir().resolve("service.err");
        try {
            Process process = service.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            return new Daemon(process, out, err);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + service.command(), e);
        }
    }

    /** Polls the installed {@code baton status --json -c /etc/baton/baton.toml} until it exits 0. */
    private Status awaitStatusOk() {
        try {
            return Status.parse(sandbox.await("baton status to exit 0 (every worker RUNNING)", () -> {
                assertTrue(daemon.alive(), "the service's baton run is running");
                return baton("status", "--json", "-c", CONFIG);
            }, result -> result.exit() == 0));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + daemon.tail(), e);
        }
    }

    private static void assertElf(Path library) throws IOException {
        byte[] head = Arrays.copyOf(Files.readAllBytes(library), 4);
        assertEquals("\u007fELF", new String(head, StandardCharsets.ISO_8859_1),
                library + " is an ELF shared object");
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
