package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A folder that dpkg treats as the root of another system: packages go in with {@code dpkg --root}, and this
 * machine's own package database, {@code /etc}, {@code /usr} and systemd state are never touched.
 *
 * <p>dpkg runs the maintainer scripts with {@code --force-script-chrootless}: on the host, with {@code DPKG_ROOT}
 * set to this folder (a chroot would need a shell inside it). The package's scripts must then keep every path under
 * {@code $DPKG_ROOT}, as deb-systemd-helper does. The package's dependencies are not in this root's database, so
 * installs take {@code --force-depends}; the installed programs run with this machine's Java.
 */
final class ScratchRoot {

    /** The environment a systemd service starts with: no HOME, no JAVA_HOME, systemd's default PATH. */
    static final Map<String, String> SERVICE_ENVIRONMENT =
            Map.of("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");

    private final Path root;

    private ScratchRoot(Path root) {
        this.root = root;
    }

    /** An empty root at {@code dir} with an empty dpkg database. */
    static ScratchRoot create(Path dir) {
        try {
            for (String d : List.of("var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers", "var/log")) {
                Files.createDirectories(dir.resolve(d));
            }
            Files.createFile(dir.resolve("var/lib/dpkg/status"));
            Files.createFile(dir.resolve("var/lib/dpkg/available"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ScratchRoot(dir);
    }

    Path dir() {
        return root;
    }

    /** Where the root's {@code /etc/baton/baton.toml} is on this machine. */
    Path path(String absolute) {
        if (!absolute.startsWith("/")) {
            throw new IllegalArgumentException("not an absolute path: " + absolute);
        }
        return root.resolve(absolute.substring(1));
    }

    /**
     * {@code dpkg --root=ROOT ARGS...}, its log kept in the root. Installing runs the postinst, which dumps two
     * class-data sharing archives (a JVM each): on a loaded 2-core machine that took over 40 s, so 3 minutes.
     */
    Cli.Result dpkg(String... args) {
        List<String> command = new ArrayList<>(List.of("dpkg", "--root=" + root,
                "--log=" + path("/var/log/dpkg.log"), "--force-script-chrootless"));
        command.addAll(List.of(args));
        return Cli.exec(new ProcessBuilder(command).directory(root.toFile()), java.time.Duration.ofMinutes(3));
    }

    /** Installs {@code deb} and fails unless dpkg succeeded. */
    void install(Path deb) {
        Cli.Result result = dpkg("--force-depends", "--install", deb.toString());
        assertEquals(0, result.exit(), result::toString);
    }

    /** The package's status word in the root's database: {@code installed}, {@code config-files}... */
    String status(String pkg) {
        Cli.Result result = Cli.exec(new ProcessBuilder("dpkg-query", "--admindir=" + path("/var/lib/dpkg"),
                "--show", "--showformat=${db:Status-Status}", pkg));
        return result.exit() == 0 ? result.out() : "not-installed";
    }

    /** {@code command} with every absolute path among its words taken inside the root. */
    List<String> reroot(List<String> command) {
        return command.stream().map(w -> w.startsWith("/") ? path(w).toString() : w).toList();
    }

    /**
     * {@code command} set up the way systemd starts a service, but here: from the root folder, with
     * {@link #SERVICE_ENVIRONMENT} only, standard input from /dev/null.
     */
    ProcessBuilder process(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(SERVICE_ENVIRONMENT);
        return builder;
    }

    /**
     * Files and symbolic links in the root outside dpkg's own database and log, as absolute paths of the root
     * ({@code /usr/bin/baton}); directories are not listed.
     */
    List<String> files() {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> "/" + root.relativize(p))
                    .filter(p -> !p.startsWith("/var/lib/dpkg/") && !p.equals("/var/log/dpkg.log"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
