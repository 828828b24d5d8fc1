package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user who may not use the control socket is told "permission denied", not that the daemon is not running. The
 * daemon runs as the test's user; the CLI runs without access: as nobody through setpriv (util-linux) when the
 * tests run as root (root passes every permission check), else as the test's user once the permission is taken
 * away. Neither possible fails the test: it is never skipped.
 */
class ControlSocketPermissionIT {

    private static final List<String> SETPRIV = List.of("--reuid=65534", "--regid=65534", "--clear-groups");

    /**
     * A copy of the distribution in a folder every user may enter: the checkout may sit in a folder closed to
     * others (mktemp -d makes it 0700), and nobody must still be able to start the CLI.
     */
    @TempDir(cleanup = CleanupMode.ALWAYS)
    static Path open;

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private Path socket;

    @BeforeEach
    void daemonWithItsSocketInAFolder() throws IOException {
        sandbox.write("baton.toml", Sandbox.HEADER.replace("socket = \"baton.sock\"", "socket = \"run/baton.sock\""));
        socket = sandbox.dir().resolve("run/baton.sock");
        sandbox.spawnDaemon();
        sandbox.await("baton status to answer on " + socket, () -> sandbox.baton("status").exit() == 0);
        // nobody reads the configuration and starts from the folder; only run/ and the socket are closed to it
        Files.setPosixFilePermissions(sandbox.dir(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(sandbox.config(), PosixFilePermissions.fromString("rw-r--r--"));
    }

    @Test
    void aFolderTheUserMayNotEnterIsPermissionDeniedWithTheSocketPath() throws IOException {
        Path folder = socket.getParent();
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString(root() ? "rwx------" : "---------"));
        try {
            assertDenied(withoutAccess("status", "-c", sandbox.config().toString()));
        } finally {
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void aSocketTheUserMayNotWriteToIsPermissionDeniedWithTheSocketPath() throws IOException {
        Files.setPosixFilePermissions(socket.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        if (!root()) {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("---------"));
        }
        try {
            assertDenied(withoutAccess("status", "-c", sandbox.config().toString()));
            assertDenied(withoutAccess("shutdown", "-s", socket.toString()));
        } finally {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        }
        assertEquals(0, sandbox.baton("status").exit(), "the daemon still runs and answers its own user");
    }

    private void assertDenied(Cli.Result result) {
        assertAll(
                () -> assertEquals(4, result.exit(), result::toString),
                () -> assertEquals(List.of("baton: cannot open control socket " + socket + ": permission denied (run as"
                        + " the daemon's user or a member of its socket_group)"), result.errLines(), result::toString),
                () -> assertFalse(result.err().contains("not running"), result::toString));
    }

    /** Runs the CLI as a user without access to the socket (see the class comment). */
    private Cli.Result withoutAccess(String... args) {
        if (!root()) {
            return Cli.run(sandbox.dir(), args);
        }
        Path setpriv = Stream.of("/usr/bin/setpriv", "/bin/setpriv", "/usr/sbin/setpriv").map(Path::of)
                .filter(Files::isExecutable).findFirst()
                .orElseGet(() -> fail("the tests run as root, and running the CLI as an unprivileged user needs"
                        + " setpriv (util-linux), which is not installed"));
        Path launcher = openCopyOfTheDistribution().resolve("bin/baton");
        Cli.Result probe = Cli.exec(new ProcessBuilder(Stream.concat(Stream.of(setpriv.toString()),
                Stream.concat(SETPRIV.stream(), Stream.of("test", "-x", launcher.toString()))).toList()));
        assertTrue(probe.exit() == 0, () -> "user 65534 cannot run " + launcher + " (a folder on its way is not"
                + " open to other users?)\n" + probe);
        return Cli.run(Stream.concat(Stream.of(setpriv.toString()), SETPRIV.stream()).toList(), launcher,
                sandbox.dir(), args);
    }

    /** Copies the distribution once into {@link #open}, readable and enterable by every user. */
    private static synchronized Path openCopyOfTheDistribution() {
        Path home = open.resolve("baton");
        if (Files.isDirectory(home)) {
            return home;
        }
        try (Stream<Path> files = Files.walk(Cli.HOME)) {
            Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
            for (Path from : (Iterable<Path>) files::iterator) {
                Path to = home.resolve(Cli.HOME.relativize(from).toString());
                Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
                Files.setPosixFilePermissions(to, PosixFilePermissions.fromString(
                        Files.isDirectory(from) || Files.isExecutable(from) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        } catch (IOException e) {
            throw new AssertionError("cannot copy " + Cli.HOME + " into " + open, e);
        }
        return home;
    }

    private static boolean root() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException e) {
            throw new AssertionError("cannot tell whether the tests run as root", e);
        }
    }
}
