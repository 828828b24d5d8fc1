package dev.baton.proxy.internal;

import io.netty.handler.codec.http.HttpMethod;

import java.util.Set;

/** Request method semantics the proxy relies on. */
final class Methods {

    /** RFC 9110 section 9.2.2: repeating these has the same intended effect as sending them once. */
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

    private Methods() {
    }

    static boolean idempotent(HttpMethod method) {
        return IDEMPOTENT.contains(method.name());
    }
}
