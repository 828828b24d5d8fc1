package dev.baton.proxy;

import dev.baton.proxy.BackendView.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A canary reload's split of the requests, with real workers behind the proxy. */
class ProxyCanaryTest {

    @RegisterExtension
    final Backends backends = new Backends();

    private ProxySettings settings;

    /** The process ids of the workers that answered {@code n} GETs. */
    private Set<Long> answering(int n) throws Exception {
        Set<Long> pids = new HashSet<>();
        for (int i = 0; i < n; i++) {
            pids.add(Backends.pid(backends.get("/")));
        }
        return pids;
    }

    /** The process ids of the old generation's two workers. */
    private Set<Long> old() {
        return Set.of(backends.process(0).pid(), backends.process(1).pid());
    }

    private void publish(int canaryWeight) {
        backends.program.publish(new ProgramView(settings, backends.views, Optional.empty(), canaryWeight));
    }

    @Test
    void theCanaryGetsItsWeightOfTheRequestsAndTheOldGenerationTheRest() throws Exception {
        backends.start("web:0", 1, Role.SERVING, false);
        backends.start("web:1", 1, Role.SERVING, false);
        backends.start("web:0", 2, Role.CANARY, false);
        settings = backends.listenOnFreePort("web");
        backends.serve(settings); // published with canary weight 0
        assertEquals(old(), answering(20), "weight 0: the old generation only");
        assertEquals(List.of(1, 1, 2), backends.program.stats().backends().stream()
                .map(BackendStats::generation).toList());
        publish(100);
        for (int i = 0; i < 10; i++) {
            assertEquals(backends.process(2).pid(), Backends.pid(backends.get("/")), "weight 100: the canary only");
        }
        publish(0);
        assertEquals(old(), answering(10));
    }
}
