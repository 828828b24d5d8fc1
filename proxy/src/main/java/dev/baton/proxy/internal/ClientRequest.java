package dev.baton.proxy.internal;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * A client's request as the proxy handles it: the head to forward, and what the received head said about how to
 * answer it.
 *
 * @param forward        the head as the worker gets it (see {@code FrontendHandler})
 * @param keepAlive      the client keeps its connection after this answer
 * @param http10         the client speaks HTTP/1.0
 * @param expectContinue the client waits for {@code 100 Continue} before its body
 * @param upgrade        the client asks to switch protocols (a WebSocket)
 * @param idempotent     the method may be sent twice (RFC 9110 section 9.2.2)
 */
record ClientRequest(HttpRequest forward, boolean keepAlive, boolean http10, boolean expectContinue,
                     boolean upgrade, boolean idempotent) {

    /**
     * What {@code received} says, before its head is rewritten for the worker (the rewrite changes its headers in
     * place); {@link #forward} is null until {@link #forwarding}.
     */
    static ClientRequest of(HttpRequest received) {
        return new ClientRequest(null, HttpUtil.isKeepAlive(received),
                received.protocolVersion().equals(HttpVersion.HTTP_1_0), HttpUtil.is100ContinueExpected(received),
                HopByHop.isUpgrade(received), Methods.idempotent(received.method()));
    }

    /** The same request, with {@code head} to send to the worker. */
    ClientRequest forwarding(HttpRequest head) {
        return new ClientRequest(head, keepAlive, http10, expectContinue, upgrade, idempotent);
    }
}
