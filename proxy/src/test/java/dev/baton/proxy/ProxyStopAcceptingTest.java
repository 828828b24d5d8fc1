package dev.baton.proxy;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A program that stops accepting (Baton shuts down, hands over to a new daemon, removes the program) lets go of
 * its client connections without cutting a request a client may already have sent: an answer whose head went
 * out saying keep-alive before the stop keeps its connection for the next request, which is answered with
 * {@code Connection: close}; an idle connection is closed only after its grace, unless a request came.
 */
class ProxyStopAcceptingTest {

    @RegisterExtension
    final Backends backends = new Backends();

    @Test
    void anAnswerThatPromisedKeepAliveBeforeTheStopKeepsItsConnectionForTheNextRequest() throws Exception {
        BackendView worker = backends.start("web:0", false);
        ProxySettings settings = backends.listenOnFreePort("web");
        try (ProxyServer server = ProxyServer.start(Backends.QUIET)) {
            ProxiedProgram program = Backends.serve(server, settings, worker,
                    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), backends.port)));

            try (Raw busy = new Raw(backends.port); Raw idle = new Raw(backends.port)) {
                idle.send("GET /before HTTP/1.1\r\nHost: x\r\n\r\n");
                assertEquals(200, idle.read().status());
                busy.send("GET /head-then-body?ms=1000 HTTP/1.1\r\nHost: x\r\n\r\n");
                String status = busy.line(); // the head is out, saying keep-alive; the body comes in a second

                program.stopAccepting();

                List<String> head = new ArrayList<>();
                for (String h = busy.line(); !h.isEmpty(); h = busy.line()) {
                    head.add(h.toLowerCase(java.util.Locale.ROOT));
                }
                String body = busy.line();
                busy.send("GET /after HTTP/1.1\r\nHost: x\r\n\r\n"); // at once, as a keep-alive client does
                Raw.Response next = busy.read();
                assertAll(
                        () -> assertTrue(status.startsWith("HTTP/1.1 200"), status),
                        () -> assertFalse(head.contains("connection: close"), head::toString),
                        () -> assertEquals("done", body),
                        () -> assertEquals(200, next.status(), next::toString),
                        () -> assertEquals("close", next.headers().get("connection"), next::toString),
                        () -> assertTrue(busy.closedByServer(), "closed after that answer"),
                        () -> assertTrue(idle.closedByServer(), "the idle connection closed after its grace"));
            }
        }
    }
}
