package dev.baton.proxy.internal;

import dev.baton.proxy.BackendView;
import dev.baton.proxy.BackendView.Role;
import dev.baton.proxy.ProxyLog;
import dev.baton.proxy.ProxySettings;
import dev.baton.proxy.RecordingListener;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The backend state machine under published roles and health checks. */
class BackendTest {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final ProxyLog log = new ProxyLog() {
        @Override
        public void info(String message) {
            lines.add(message);
        }

        @Override
        public void warn(String message) {
            lines.add(message);
        }
    };

    private final RecordingListener listener = new RecordingListener();

    private Backend backend(Role role) {
        return backend("web:0", role);
    }

    /** A backend whose health_rise and health_fall are both 2. */
    private Backend backend(String id, Role role) {
        return backend(id, role, 2);
    }

    /** A backend whose health_rise and health_fall are both {@code riseAndFall}. */
    private Backend backend(String id, Role role, int riseAndFall) {
        return backend(id, 0, role, riseAndFall);
    }

    /** Generation 2's {@code incarnation} of {@code id}, its health_rise and health_fall both {@code riseAndFall}. */
    private Backend backend(String id, int incarnation, Role role, int riseAndFall) {
        Backend b = new Backend(new BackendView(id, 2, incarnation, new InetSocketAddress("127.0.0.1", 1), role,
                ProxySettings.builder("web").healthRise(riseAndFall).healthFall(riseAndFall).build()), "web", log,
                listener);
        b.role(role);
        return b;
    }

    @Test
    void heldBackendThatPassesItsCheckIsReadyAndBecomesHealthyWhenServing() {
        Backend b = backend(Role.HELD);
        assertFalse(b.checkPassed(), "ready is not routable");
        assertEquals(BackendState.READY, b.state());
        assertTrue(b.state().checked());
        b.role(Role.SERVING);
        assertEquals(BackendState.HEALTHY, b.state());
        assertEquals("web: backend web:0 [gen 2] READY -> HEALTHY: serving", lines.get(lines.size() - 1));
    }

    @Test
    void pendingBackendPublishedServingBecomesHealthyOnItsFirstPassedCheck() {
        Backend b = backend(Role.HELD);
        b.role(Role.SERVING);
        assertEquals(BackendState.PENDING, b.state());
        assertTrue(b.checkPassed());
        assertEquals(BackendState.HEALTHY, b.state());
    }

    @Test
    void heldBackendThatFailsAfterReadyStaysUnhealthyWhenServingUntilRisePasses() {
        Backend b = backend(Role.HELD);
        b.checkPassed();
        b.checkFailed("timeout", false);
        b.checkFailed("timeout", false);
        assertEquals(BackendState.UNHEALTHY, b.state());
        b.role(Role.SERVING);
        assertEquals(BackendState.UNHEALTHY, b.state());
        assertFalse(b.checkPassed());
        assertTrue(b.checkPassed());
        assertEquals(BackendState.HEALTHY, b.state());
    }

    @Test
    void readyIsAnnouncedOnceOnTheFirstPassedCheckWhetherHeldOrServing() {
        Backend held = backend("web:0", Role.HELD, 1);
        held.checkPassed();
        held.checkPassed();
        held.checkFailed("refused", false);
        held.checkPassed();
        assertEquals(BackendState.READY, held.state());
        held.role(Role.SERVING);
        Backend serving = backend("web:1", Role.SERVING, 1);
        serving.checkPassed();
        serving.checkPassed();
        assertEquals(List.of("ready web:0@2", "ready web:1@2"), listener.texts());
    }

    @Test
    void drainingAndStoppingRolesBothDrainAndNeverServeAgain() {
        Backend draining = backend("web:0", Role.SERVING, 1);
        draining.checkPassed();
        draining.role(Role.DRAINING);
        assertEquals(BackendState.DRAINING, draining.state());
        draining.role(Role.SERVING);
        assertEquals(BackendState.DRAINING, draining.state());
        Backend stopping = backend(Role.HELD);
        stopping.role(Role.STOPPING);
        assertEquals(BackendState.DRAINING, stopping.state());
        assertFalse(stopping.state().routable() || stopping.state().checked());
    }

    @Test
    void ejectionAndReadmissionOfAServingBackendAreAnnouncedOnceEachWhateverEjectedIt() {
        Backend b = backend(Role.SERVING);
        b.checkPassed();
        b.checkFailed("timeout", false);
        b.checkFailed("timeout", false);
        b.checkFailed("timeout", false);
        b.checkPassed();
        b.checkPassed();
        b.checkPassed();
        b.eject("connection refused");
        b.eject("connection refused");
        b.checkPassed();
        b.checkPassed();
        b.requestFailed("reset");
        b.requestFailed("reset");
        b.requestFailed("reset");
        assertEquals(List.of("ready web:0@2", "ejected web:0@2", "readmitted web:0@2", "ejected web:0@2",
                "readmitted web:0@2", "ejected web:0@2"), listener.texts());
    }

    @Test
    void aHeldBackendsChecksAndADrainingBackendAnnounceNoHealth() {
        Backend held = backend(Role.HELD);
        held.checkPassed();
        held.checkFailed("timeout", false);
        held.checkFailed("timeout", false);
        held.checkPassed();
        held.checkPassed();
        assertEquals(BackendState.READY, held.state());
        Backend draining = backend("web:1", Role.SERVING, 1);
        draining.checkPassed();
        draining.role(Role.DRAINING);
        draining.eject("connection refused");
        draining.requestFailed("reset");
        draining.checkFailed("timeout", false);
        assertEquals(List.of("ready web:0@2", "ready web:1@2"), listener.texts());
    }

    @Test
    void aCanaryIsRoutedLikeAServingBackendOnceChecked() {
        Backend held = backend(Role.HELD);
        held.checkPassed();
        held.role(Role.CANARY);
        assertEquals(BackendState.HEALTHY, held.state());
        assertEquals("web: backend web:0 [gen 2] READY -> HEALTHY: canary", lines.get(lines.size() - 1));
        Backend fresh = backend("web:1", Role.CANARY, 1);
        assertTrue(fresh.checkPassed());
        assertEquals(BackendState.HEALTHY, fresh.state());
        fresh.eject("connection refused");
        fresh.checkPassed();
        assertEquals(List.of("ready web:0@2", "ready web:1@2", "ejected web:1@2", "readmitted web:1@2"),
                listener.texts());
    }

    @Test
    void aLaterIncarnationIsNamedByItsKeyAndItsLogLinesShowIt() {
        Backend b = backend("web:0", 1, Role.SERVING, 1);
        assertEquals(new BackendView.Key("web:0", 2, 1), b.key());
        assertEquals("web:0@2.1", b.toString());
        b.checkPassed();
        assertEquals("web: backend web:0 [gen 2.1] PENDING -> HEALTHY: first health check passed",
                lines.get(lines.size() - 1));
        assertEquals(List.of("ready web:0@2.1"), listener.texts());
    }

    @Test
    void aListenerThatThrowsIsLoggedAndLaterNewsStillArrives() {
        List<String> heard = new CopyOnWriteArrayList<>();
        Backend b = new Backend(new BackendView("web:0", 2, new InetSocketAddress("127.0.0.1", 1), Role.SERVING,
                ProxySettings.builder("web").healthFall(1).build()), "web", log, new dev.baton.proxy.BackendListener() {
                    @Override
                    public void ready(BackendView.Key key) {
                        throw new IllegalStateException("queue closed");
                    }

                    @Override
                    public void drained(BackendView.Key key) {
                    }

                    @Override
                    public void health(BackendView.Key key, boolean routable) {
                        heard.add(key + " " + routable);
                    }
                });
        b.role(Role.SERVING);
        b.checkPassed();
        b.eject("connection refused");
        assertEquals(List.of("web:0@2 false"), heard);
        assertTrue(lines.contains("web: backend web:0 [gen 2]: ready listener failed: queue closed"), lines.toString());
    }
}
