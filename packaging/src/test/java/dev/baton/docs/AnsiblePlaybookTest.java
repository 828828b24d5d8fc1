package dev.baton.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps packaging/ansible/deploy.yml, the rolling deploy of docs/fleet.md, a playbook Ansible accepts and one that
 * rolls one host at a time: {@code ansible-playbook --syntax-check} and {@code --list-hosts} with the example
 * inventory (Debian package ansible-core; the checks that need it are skipped, saying so, where it is missing),
 * and the play's shape read with PyYAML.
 */
class AnsiblePlaybookTest {

    private static final Path ANSIBLE = Path.of(System.getProperty("baton.docs", "../docs"))
            .resolveSibling("packaging").resolve("ansible").toAbsolutePath().normalize();

    @TempDir
    Path temp;

    @Test
    void deployPlaybookPassesAnsibleSyntaxCheck() throws Exception {
        Result r = ansiblePlaybook("--syntax-check", "-i", "inventory.example", "deploy.yml");
        assertEquals(0, r.status(), "ansible-playbook --syntax-check: " + r.output());
        assertTrue(!r.output().contains("[WARNING]"), "ansible-playbook --syntax-check warns: " + r.output());
    }

    @Test
    void deployPlaybookRunsOnEveryHostOfTheExampleInventory() throws Exception {
        Result r = ansiblePlaybook("--list-hosts", "-i", "inventory.example", "deploy.yml");
        assertEquals(0, r.status(), "ansible-playbook --list-hosts: " + r.output());
        List<String> hosts = r.output().lines().map(String::strip).filter(l -> l.matches("app\\d+")).sorted().toList();
        assertEquals(List.of("app1", "app2", "app3"), hosts, "the play's hosts, from: " + r.output());
    }

    @Test
    void deployPlaybookReloadsOneHostAtATimeAndWaitsForReady() throws Exception {
        List<Object> docs = Yaml.documents(ANSIBLE.resolve("deploy.yml"));
        Map<String, Object> play = Yaml.map(docs, 0, 0);
        assertEquals(1L, play.get("serial"), "serial: one host at a time");
        assertEquals(0L, play.get("max_fail_percentage"), "a failed host stops the rollout");

        List<Map<String, Object>> tasks = flatten(Yaml.list(play, "tasks"));
        int reload = indexOf(tasks, t -> String.valueOf(Yaml.at(t, "ansible.builtin.command", "argv"))
                .contains("'reload', '--wait'"));
        assertTrue(reload >= 0, "a task runs baton reload --wait: " + tasks);
        int ready = indexOf(tasks, t -> t.containsKey("until")
                && String.valueOf(Yaml.at(t, "ansible.builtin.uri", "url")).contains("baton_ready_url"));
        assertTrue(ready > reload, "after the reload, a uri task polls /ready until it answers 200: " + tasks);
        assertEquals("ready_after.status == 200", tasks.get(ready).get("until"));
        assertTrue(String.valueOf(Yaml.at(play, "vars", "baton_ready_url")).endsWith("/ready"),
                "baton_ready_url asks /ready: " + Yaml.at(play, "vars"));
    }

    /** The tasks in order, those of blocks and their rescue sections included. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> flatten(List<Object> tasks) {
        List<Map<String, Object>> all = new ArrayList<>();
        for (Object task : tasks) {
            Map<String, Object> t = (Map<String, Object>) task;
            all.add(t);
            for (String section : List.of("block", "rescue", "always")) {
                if (t.get(section) instanceof List<?> inner) {
                    all.addAll(flatten((List<Object>) inner));
                }
            }
        }
        return all;
    }

    private static int indexOf(List<Map<String, Object>> tasks, java.util.function.Predicate<Map<String, Object>> p) {
        for (int i = 0; i < tasks.size(); i++) {
            if (p.test(tasks.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private record Result(int status, String output) {
    }

    /** Runs ansible-playbook in packaging/ansible, its scratch files in a temporary folder. */
    private Result ansiblePlaybook(String... args) throws IOException, InterruptedException {
        assumeTrue(onPath("ansible-playbook"),
                "ansible-playbook is not installed (Debian package ansible-core): the playbook's checks are skipped");
        List<String> command = new ArrayList<>(List.of("ansible-playbook"));
        command.addAll(List.of(args));
        Path log = temp.resolve("ansible-playbook.log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(ANSIBLE.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("ANSIBLE_LOCAL_TEMP", temp.resolve("tmp").toString());
        pb.environment().put("ANSIBLE_HOME", temp.resolve("home").toString());
        pb.environment().put("ANSIBLE_NOCOLOR", "1");
        Process p = pb.start();
        // ansible-playbook answers these in about 2 s; a loaded CI machine may take many times that.
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("ansible-playbook " + String.join(" ", args) + " did not finish within 120 s: "
                    + Files.readString(log));
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private static boolean onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(":")).filter(d -> !d.isEmpty())
                .anyMatch(d -> Files.isExecutable(Path.of(d, program)));
    }
}
