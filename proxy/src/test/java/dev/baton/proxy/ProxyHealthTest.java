package dev.baton.proxy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the supervisor hears of a serving worker's health, with real workers: ejections and re-admissions. */
class ProxyHealthTest {

    @RegisterExtension
    final Backends backends = new Backends();
    private final RecordingListener listener = new RecordingListener();

    @Test
    void aWorkerThatStopsListeningIsReportedEjectedOnceAndReadmittedOnceWhenItIsBack() throws Exception {
        BackendView web = backends.start("web:0", false);
        backends.start("web:1", false);
        backends.serve(backends.listenOnFreePort("web"), listener);
        backends.process(0).destroyForcibly().waitFor(); // connections to it are refused from now on
        Backends.await("web:0 ejected", () -> listener.count("ejected web:0@1") == 1);
        for (int i = 0; i < 5; i++) { // the other worker answers meanwhile, and nothing more is said of web:0
            assertEquals("web:1", Backends.name(backends.get("/")));
        }
        backends.relaunch(web);
        Backends.await("web:0 re-admitted", () -> listener.count("readmitted web:0@1") == 1);
        Backends.await("web:0 answering again", () -> answeredBy("web:0"));
        assertEquals(List.of("ejected web:0@1", "readmitted web:0@1"), listener.texts().stream()
                .filter(t -> !t.startsWith("ready ")).toList());
        assertEquals(2, listener.texts().stream().filter(t -> t.startsWith("ready ")).count(), listener.texts()
                .toString());
    }

    private boolean answeredBy(String worker) {
        try {
            return Backends.name(backends.get("/")).equals(worker);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
