package dev.baton.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.conf.BatonConfig;
import dev.baton.conf.ConfigLoader;
import dev.baton.conf.ListenAddress;
import dev.baton.conf.ProgramConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the container and Kubernetes recipe of docs/kubernetes.md true without a cluster: packaging/kubernetes's
 * manifests parse (PyYAML), the ConfigMap's baton.toml is the image's and Baton's own loader accepts it, the probes
 * ask that file's admin address for /ready and /live, the grace period covers shutdown_delay and the stop, there is
 * no preStop sleep, and packaging/container/Dockerfile installs the package this build makes and starts Baton as
 * the Deployment does.
 */
class ContainerRecipeTest {

    private static final Path ROOT = Path.of(System.getProperty("baton.docs", "../docs")).toAbsolutePath()
            .normalize().getParent();
    private static final Path KUBERNETES = ROOT.resolve("packaging/kubernetes");
    private static final Path CONTAINER = ROOT.resolve("packaging/container");
    /** Where the ConfigMap is mounted, and so the file the daemon reads. */
    private static final Path CONFIG_FILE = Path.of("/etc/baton/baton.toml");

    @Test
    void everyManifestParsesAndTheKustomizationListsThemAll() throws Exception {
        Set<String> kinds = new TreeSet<>();
        List<String> files = new ArrayList<>();
        for (Path file : manifests()) {
            List<Object> docs = Yaml.documents(file);
            assertFalse(docs.isEmpty(), file + ": no document");
            for (Object doc : docs) {
                assertTrue(Yaml.at(doc, "apiVersion") instanceof String, file + ": no apiVersion");
                kinds.add(String.valueOf(Yaml.at(doc, "kind")));
            }
            if (!file.getFileName().toString().equals("kustomization.yaml")) {
                files.add(file.getFileName().toString());
            }
        }
        assertTrue(kinds.containsAll(Set.of("ConfigMap", "Deployment", "Service", "Kustomization")), "kinds: " + kinds);
        List<Object> resources = Yaml.list(Yaml.documents(KUBERNETES.resolve("kustomization.yaml")).get(0),
                "resources");
        assertEquals(files.stream().sorted().toList(), resources.stream().map(String::valueOf).sorted().toList(),
                "kubectl apply -k applies every manifest");
    }

    @Test
    void theConfigMapHoldsTheImagesBatonTomlAndBatonAcceptsIt() throws Exception {
        assertEquals(Files.readString(CONTAINER.resolve("baton.toml")), batonToml(),
                "packaging/kubernetes/configmap.yaml's baton.toml is packaging/container/baton.toml");
        BatonConfig config = config();
        assertTrue(config.daemon().metricsListen().isPresent(), "the admin address is set");
        assertTrue(config.daemon().logToStdout(), "worker lines reach the container's log");
    }

    @Test
    void theProbesAskTheAdminAddressForReadyAndLive() throws Exception {
        BatonConfig config = config();
        ListenAddress admin = config.daemon().metricsListen().orElseThrow();
        assertTrue(allInterfaces(admin), "the kubelet probes the pod's IP: metrics_listen on every interface, not "
                + admin);
        Map<String, Object> container = container();
        for (String probe : List.of("readinessProbe", "livenessProbe")) {
            assertEquals(probe.equals("readinessProbe") ? "/ready" : "/live",
                    Yaml.at(container, probe, "httpGet", "path"), probe);
            assertEquals(admin.port(), containerPort(container, Yaml.at(container, probe, "httpGet", "port")),
                    probe + " asks the admin address of baton.toml, " + admin);
        }

        Set<Integer> listen = config.programs().stream().flatMap(p -> p.proxy().stream())
                .flatMap(p -> p.listen().stream()).peek(a -> assertTrue(allInterfaces(a), "listen " + a))
                .map(ListenAddress::port).collect(Collectors.toSet());
        Map<String, Object> service = document("service.yaml", "Service");
        for (Object port : Yaml.list(service, "spec", "ports")) {
            int target = containerPort(container, Yaml.at(port, "targetPort"));
            assertTrue(listen.contains(target), "the Service sends to a listen port of baton.toml, " + listen
                    + ", not " + target);
        }
    }

    @Test
    void theGracePeriodCoversShutdownDelayTheDrainAndTheStop() throws Exception {
        BatonConfig config = config();
        Duration delay = shutdownDelay();
        assertTrue(delay.compareTo(Duration.ofSeconds(5)) >= 0,
                "shutdown_delay leaves the endpoints seconds to stop sending to the pod: " + delay);
        // Baton's stop: shutdown_delay, then every program drains at once for at most its stopwaitsecs, then each
        // priority level's workers get their stopsignal and SIGKILL after stopwaitsecs (Shutdown).
        int drain = config.programs().stream().mapToInt(ProgramConfig::stopwaitsecs).max().orElse(0);
        Map<Integer, Integer> levels = new TreeMap<>();
        config.programs().forEach(p -> levels.merge(p.priority(), p.stopwaitsecs(), Math::max));
        long stop = delay.toSeconds() + drain + levels.values().stream().mapToInt(Integer::intValue).sum();

        Map<String, Object> deployment = document("deployment.yaml", "Deployment");
        long grace = (Long) Yaml.at(deployment, "spec", "template", "spec", "terminationGracePeriodSeconds");
        assertTrue(grace >= stop + 5, "terminationGracePeriodSeconds " + grace + " must exceed shutdown_delay "
                + delay.toSeconds() + " s + drain " + drain + " s + stop " + levels.values() + " s + a 5 s margin");
    }

    @Test
    void noPreStopHookAndNoSharedProcessNamespace() throws Exception {
        Map<String, Object> pod = Yaml.map(document("deployment.yaml", "Deployment"), "spec", "template", "spec");
        for (Object c : Yaml.list(pod, "containers")) {
            assertNull(Yaml.at(c, "lifecycle", "preStop"), "shutdown_delay instead of a preStop hook");
        }
        assertNotEquals(Boolean.TRUE, pod.get("shareProcessNamespace"), "Baton is PID 1, not the pause container");
    }

    @Test
    void theContainerRunsBatonRunOnTheConfigMapAsTheImageDoes() throws Exception {
        Map<String, Object> container = container();
        List<String> command = new ArrayList<>();
        Stream.of("command", "args").map(k -> container.get(k)).filter(List.class::isInstance)
                .forEach(l -> ((List<?>) l).forEach(a -> command.add(String.valueOf(a))));
        assertEquals(List.of("/usr/bin/baton", "run", "-c", CONFIG_FILE.toString()), command,
                "Baton itself, no shell or init in front");
        assertEquals(command, entrypoint(), "the Dockerfile's ENTRYPOINT");

        Map<String, Object> pod = Yaml.map(document("deployment.yaml", "Deployment"), "spec", "template", "spec");
        String volume = Yaml.list(container, "volumeMounts").stream()
                .filter(m -> CONFIG_FILE.getParent().toString().equals(Yaml.at(m, "mountPath")))
                .map(m -> String.valueOf(Yaml.at(m, "name"))).findFirst().orElseThrow(
                        () -> new AssertionError("nothing mounted at " + CONFIG_FILE.getParent()));
        Object configMap = Yaml.list(pod, "volumes").stream().filter(v -> volume.equals(Yaml.at(v, "name")))
                .map(v -> Yaml.at(v, "configMap", "name")).findFirst().orElse(null);
        assertEquals(Yaml.at(document("configmap.yaml", "ConfigMap"), "metadata", "name"), configMap,
                CONFIG_FILE.getParent() + " is the ConfigMap");
    }

    @Test
    void theDockerfileInstallsThePackageOfThisBuildAndExposesBothAddresses() throws Exception {
        String dockerfile = Files.readString(CONTAINER.resolve("Dockerfile"));
        assertEquals("debian:bookworm-slim", instruction(dockerfile, "FROM"));
        assertEquals("BATON_VERSION=" + projectVersion(), instruction(dockerfile, "ARG"),
                "the version of packaging/target/baton_VERSION_all.deb");
        assertTrue(dockerfile.contains("COPY packaging/target/baton_${BATON_VERSION}_all.deb"), dockerfile);
        assertTrue(dockerfile.contains("COPY packaging/container/baton.toml " + CONFIG_FILE), dockerfile);
        assertEquals("SIGTERM", instruction(dockerfile, "STOPSIGNAL"));

        BatonConfig config = config();
        Set<Integer> ports = new TreeSet<>();
        ports.add(config.daemon().metricsListen().orElseThrow().port());
        config.programs().stream().flatMap(p -> p.proxy().stream()).flatMap(p -> p.listen().stream())
                .forEach(a -> ports.add(a.port()));
        Set<Integer> exposed = Stream.of(instruction(dockerfile, "EXPOSE").split("\\s+")).map(Integer::valueOf)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(ports, exposed, "EXPOSE: the listen and admin ports of baton.toml");

        Map<String, Object> pod = Yaml.map(document("deployment.yaml", "Deployment"), "spec", "template", "spec");
        String user = Yaml.at(pod, "securityContext", "runAsUser") + ":" + Yaml.at(pod, "securityContext",
                "runAsGroup");
        assertEquals(user, instruction(dockerfile, "USER"), "the Deployment runs the image's user");
    }

    // --- reading the recipe

    private static List<Path> manifests() throws IOException {
        try (Stream<Path> files = Files.list(KUBERNETES)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    /** The one document of {@code kind} in {@code file}. */
    private static Map<String, Object> document(String file, String kind) throws Exception {
        List<Object> docs = Yaml.documents(KUBERNETES.resolve(file)).stream()
                .filter(d -> kind.equals(Yaml.at(d, "kind"))).toList();
        assertEquals(1, docs.size(), file + ": one " + kind);
        return Yaml.map(docs.get(0));
    }

    private static Map<String, Object> container() throws Exception {
        List<Object> containers = Yaml.list(document("deployment.yaml", "Deployment"),
                "spec", "template", "spec", "containers");
        assertEquals(1, containers.size(), "one container: Baton");
        return Yaml.map(containers.get(0));
    }

    /** A port given by number or by the name of one of the container's ports. */
    private static int containerPort(Map<String, Object> container, Object port) {
        if (port instanceof Long number) {
            return number.intValue();
        }
        return Yaml.list(container, "ports").stream().filter(p -> String.valueOf(port).equals(Yaml.at(p, "name")))
                .map(p -> ((Long) Yaml.at(p, "containerPort")).intValue()).findFirst()
                .orElseThrow(() -> new AssertionError("the container has no port named " + port));
    }

    private static String batonToml() throws Exception {
        return String.valueOf(Yaml.at(document("configmap.yaml", "ConfigMap"), "data", "baton.toml"));
    }

    /** The ConfigMap's baton.toml as the daemon reads it at its mount point. */
    private static BatonConfig config() throws Exception {
        return ConfigLoader.parse(batonToml(), CONFIG_FILE, Map.of());
    }

    /** {@code [baton] shutdown_delay} of the ConfigMap's baton.toml, as Baton reads it. */
    private static Duration shutdownDelay() throws Exception {
        Duration delay = config().daemon().shutdownDelay();
        assertTrue(delay.toSeconds() > 0, "baton.toml sets [baton] shutdown_delay");
        return delay;
    }

    private static boolean allInterfaces(ListenAddress a) {
        return !a.isUnix() && Set.of("", "0.0.0.0", "::").contains(a.host());
    }

    /** The arguments of the Dockerfile's only {@code name} instruction. */
    private static String instruction(String dockerfile, String name) {
        List<String> found = dockerfile.lines().filter(l -> l.startsWith(name + " "))
                .map(l -> l.substring(name.length() + 1).strip()).toList();
        assertEquals(1, found.size(), "one " + name + " in the Dockerfile: " + found);
        return found.get(0);
    }

    /** The exec form of the Dockerfile's ENTRYPOINT, a JSON array. */
    private static List<String> entrypoint() throws IOException {
        Object value = dev.baton.supervisor.control.Json.parse(instruction(
                Files.readString(CONTAINER.resolve("Dockerfile")), "ENTRYPOINT"));
        assertTrue(value instanceof List, "ENTRYPOINT in exec form (a JSON array): no shell in front of Baton");
        return ((List<?>) value).stream().map(String::valueOf).toList();
    }

    /** The version of the build, which names packaging/target/baton_VERSION_all.deb. */
    private static String projectVersion() throws IOException {
        Matcher m = Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL)
                .matcher(Files.readString(ROOT.resolve("packaging/pom.xml")));
        assertTrue(m.find(), "packaging/pom.xml names its parent's version");
        return m.group(1);
    }
}
