package dev.baton.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/**
 * A private network of network namespaces, made with {@code ip netns} for one test: a load balancer namespace
 * holding a bridge {@code br0} at {@value #SUBNET}.1/24, and host namespaces, each with an {@code eth0} at
 * {@value #SUBNET}.{@code 10+i} plugged into that bridge by a veth pair. Every link and address lives inside the
 * namespaces (the veth pairs are created in them): the machine's own interfaces, addresses and routes are never
 * touched, and two runs never meet (each has its own namespaces, named after the JVM's pid and a random part).
 *
 * <p>Register with {@code @RegisterExtension} and an {@code @Order} before the extensions whose processes run in
 * the namespaces, so that its cleanup runs after theirs: it SIGKILLs whatever still runs in its namespaces (only
 * the test started processes there) and deletes them, which deletes their links too, even after a failure.
 */
final class Netns implements AfterEachCallback {

    static final String SUBNET = "10.77.0";
    private static final String PREFIX = "baton-it-";

    private final List<String> names = new ArrayList<>();
    private String run;

    /**
     * Creates the load balancer's namespace and {@code hosts} host namespaces, wired as the class comment says.
     * Aborts the test (skipped) when this machine cannot create a network namespace: not root, no CAP_SYS_ADMIN.
     */
    void create(int hosts) {
        removeStale();
        run = PREFIX + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 6);
        Ip.Result add = Ip.run("netns", "add", lb());
        if (add.exit() != 0) {
            throw new TestAbortedException("network namespaces cannot be created here (root with CAP_SYS_ADMIN and"
                    + " iproute2 needed): ip netns add " + lb() + ": exit " + add.exit() + ": " + add.output());
        }
        names.add(lb());
        Ip.must("-n", lb(), "link", "set", "lo", "up");
        Ip.must("-n", lb(), "link", "add", "br0", "type", "bridge");
        Ip.must("-n", lb(), "addr", "add", SUBNET + ".1/24", "dev", "br0");
        Ip.must("-n", lb(), "link", "set", "br0", "up");
        for (int i = 1; i <= hosts; i++) {
            String host = host(i);
            Ip.must("netns", "add", host);
            names.add(host);
            Ip.must("-n", host, "link", "set", "lo", "up");
            Ip.must("-n", lb(), "link", "add", "veth" + i, "type", "veth", "peer", "name", "eth0", "netns", host);
            Ip.must("-n", lb(), "link", "set", "veth" + i, "master", "br0", "up");
            Ip.must("-n", host, "addr", "add", address(i) + "/24", "dev", "eth0");
            Ip.must("-n", host, "link", "set", "eth0", "up");
        }
    }

    /** The load balancer's namespace, holding the bridge at {@code SUBNET.1}. */
    String lb() {
        return run + "-lb";
    }

    /** Host {@code i}'s namespace (1-based). */
    String host(int i) {
        return run + "-h" + i;
    }

    /** Host {@code i}'s address: {@code SUBNET.1i} for hosts 1 to 9. */
    static String address(int i) {
        return SUBNET + "." + (10 + i);
    }

    /** The load balancer's address, on its bridge. */
    static String lbAddress() {
        return SUBNET + ".1";
    }

    /** The command prefix that runs a program in {@code namespace}: {@code ip netns exec} execs it (same pid). */
    static List<String> exec(String namespace) {
        return List.of("ip", "netns", "exec", namespace);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<String> problems = new ArrayList<>();
        for (int n = names.size() - 1; n >= 0; n--) {
            String name = names.get(n);
            for (long pid : pids(name)) {
                Procs.signal(pid, "KILL");
            }
            Ip.Result del = Ip.run("netns", "del", name);
            if (del.exit() != 0) {
                problems.add("cleanup: ip netns del " + name + ": " + del.output());
            }
        }
        names.clear();
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems));
        }
    }

    /** The processes running in {@code namespace} now. */
    static List<Long> pids(String namespace) {
        Ip.Result result = Ip.run("netns", "pids", namespace);
        return result.exit() != 0 ? List.of()
                : result.output().lines().map(String::strip).filter(s -> !s.isEmpty()).map(Long::parseLong).toList();
    }

    /** Deletes the empty namespaces a killed earlier run (its JVM gone) left behind. */
    private static void removeStale() {
        Path dir = Path.of("/run/netns");
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(PREFIX)).forEach(name -> {
                String pid = name.substring(PREFIX.length()).split("-")[0];
                boolean ownerGone = pid.chars().allMatch(Character::isDigit) && !pid.isEmpty()
                        && ProcessHandle.of(Long.parseLong(pid)).isEmpty();
                if (ownerGone && pids(name).isEmpty()) {
                    Ip.run("netns", "del", name);
                }
            });
        } catch (IOException e) {
            // nothing to clean then
        }
    }

    /** {@code ip(8)}, run and waited for. */
    static final class Ip {

        record Result(int exit, String output) {
        }

        private Ip() {
        }

        static Result run(String... args) {
            List<String> command = new ArrayList<>(List.of("ip"));
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            try {
                Process process = builder.start();
                String output = new String(process.getInputStream().readAllBytes()).strip();
                return new Result(process.waitFor(), output);
            } catch (IOException e) {
                throw new AssertionError("cannot run " + String.join(" ", command) + " (the Debian package iproute2"
                        + " is needed): " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while running " + command, e);
            }
        }

        /** Runs {@code ip ARGS...}; fails the test unless it exits 0. */
        static void must(String... args) {
            Result result = run(args);
            if (result.exit() != 0) {
                fail("ip " + String.join(" ", args) + ": exit " + result.exit() + ": " + result.output());
            }
        }
    }
}
