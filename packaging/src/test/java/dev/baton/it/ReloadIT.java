package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** SIGHUP re-reads the configuration: added programs start, removed stop, changed restart, broken changes nothing. */
class ReloadIT {

    private static final String WEB = """
            [program.web]
            command = "python3 app.py --port {port}"
            numprocs = 2
            """;

    private static final String API = """
            [program.api]
            command = "python3 worker.py"
            startsecs = 0
            """;

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private Daemon daemon;

    @BeforeEach
    void webRunning() {
        sandbox.copyDemoApp();
        sandbox.copyWorkerFixture();
        sandbox.writeConfig(WEB);
        daemon = sandbox.startDaemon();
        sandbox.awaitRunning("web", 2);
    }

    @Test
    void hupWithAnAddedProgramStartsItAndLeavesTheOthersAlone() {
        Status before = sandbox.status();
        sandbox.writeConfig(WEB + "\n" + API);

        daemon.signal("HUP");

        Status after = sandbox.awaitStatus("api RUNNING", s -> s.running("api", 1));
        assertUnchanged(before, after, "web:0", "web:1");
        assertEquals(0, after.exit(), after::toString);
        sandbox.await("the reload summary in the daemon log",
                () -> daemon.stderr().contains("configuration reloaded: added api, changed none, removed none"));
    }

    @Test
    void hupWithARemovedProgramStopsItsWorkers() {
        sandbox.writeConfig(WEB + "\n" + API);
        daemon.signal("HUP");
        long api = sandbox.awaitStatus("api RUNNING", s -> s.running("api", 1)).worker("api:0").pid();
        Status before = sandbox.status();
        sandbox.writeConfig(WEB);

        daemon.signal("HUP");

        Status after = sandbox.awaitStatus("api gone from status", s -> s.program("api").isEmpty());
        sandbox.awaitGone("api:0's process", api);
        assertUnchanged(before, after, "web:0", "web:1");
    }

    @Test
    void hupWithAChangedProgramRestartsItAsTheNextGeneration() throws Exception {
        Status before = sandbox.status();
        sandbox.writeConfig(WEB.replace("numprocs = 2", "numprocs = 3"));

        daemon.signal("HUP");

        Status after = sandbox.awaitStatus("3 web workers of generation 2 RUNNING", s -> s.running("web", 3)
                && s.program("web").stream().allMatch(w -> w.generation() == 2));
        before.workers().forEach(w -> assertFalse(Procs.alive(w.pid()), w.name() + " of generation 1 is gone"));
        for (Status.Worker w : after.workers()) {
            Map<String, Object> answer = Json.object(get(w.port()));
            assertEquals("2", answer.get("generation"), w.name() + " was started as generation 2");
        }
    }

    @Test
    void hupWithAnInvalidConfigKeepsEveryWorkerRunningAndLogsTheErrors() {
        Status before = sandbox.status();
        sandbox.writeConfig(WEB.replace("numprocs = 2", "numprocs = \"two\"") + "\n" + API);

        daemon.signal("HUP");

        sandbox.await("the daemon to refuse the broken configuration",
                () -> daemon.stderr().contains("configuration not reloaded, 1 errors:"));
        assertTrue(daemon.stderr().contains("baton.toml:7:12: program.web.numprocs: expected an integer, found a string"),
                daemon::tail);
        Status after = sandbox.status();
        assertUnchanged(before, after, "web:0", "web:1");
        assertTrue(after.program("api").isEmpty(), "nothing of the broken file was applied");
        assertEquals(0, after.exit());

        sandbox.writeConfig(WEB + "\n" + API);
        daemon.signal("HUP");

        Status fixed = sandbox.awaitStatus("api RUNNING once the file is fixed", s -> s.running("api", 1));
        assertUnchanged(before, fixed, "web:0", "web:1");
    }

    @Test
    void controlCommandsStillWorkWhileTheFileOnDiskIsBroken() {
        sandbox.writeConfig("this is [not toml");

        Cli.Result status = sandbox.baton("status");
        Cli.Result restart = sandbox.baton("restart", "web:0");

        assertEquals(0, status.exit(), status::toString);
        assertEquals(0, restart.exit(), restart::toString);
        assertEquals("web:0: started\n", restart.out(), restart::toString);
    }

    private static void assertUnchanged(Status before, Status after, String... names) {
        for (String name : names) {
            assertAll(name,
                    () -> assertTrue(after.worker(name).running(), after::toString),
                    () -> assertEquals(before.worker(name).pid(), after.worker(name).pid(), "same process"),
                    () -> assertEquals(before.worker(name).generation(), after.worker(name).generation()));
        }
    }

    private static String get(int port) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
