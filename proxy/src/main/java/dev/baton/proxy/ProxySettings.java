package dev.baton.proxy;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How one program is served. Plain values: the proxy knows nothing of configuration files.
 *
 * @param name        the program's name, for messages and the access log
 * @param listen      where clients connect: {@link java.net.InetSocketAddress} or
 *                    {@link io.netty.channel.unix.DomainSocketAddress}
 * @param healthCheck path of the HTTP health check; empty: healthy when the worker accepts a connection
 * @param maxInflight requests at once per worker, 0 = unlimited
 * @param maxQueue    requests waiting inside Baton for a worker before new ones get 503
 * @param warmupPath     path of the warm-up requests; empty: no warm-up
 * @param warmupRequests after a new backend's first passed health check, Baton sends this many sequential GETs of
 *                       {@code warmupPath} to it, and only then counts it READY/HEALTHY. The answers' status is
 *                       not judged, but a connection failure or no complete answer within {@code responseTimeout}
 *                       counts as a failed health check: the backend stays PENDING and is probed again. 0: none
 */
public record ProxySettings(
        String name,
        List<SocketAddress> listen,
        Optional<String> healthCheck,
        int maxInflight,
        int maxQueue,
        Duration queueTimeout,
        Duration connectTimeout,
        Duration responseTimeout,
        Duration headerTimeout,
        Duration keepaliveTimeout,
        Duration upstreamKeepaliveTimeout,
        int maxHeaderSize,
        long maxBodySize,
        Duration healthInterval,
        Duration healthTimeout,
        int healthRise,
        int healthFall,
        int retries,
        List<String> trustedProxies,
        boolean accessLogJson,
        Optional<String> warmupPath,
        int warmupRequests) {

    public ProxySettings {
        listen = List.copyOf(listen);
        trustedProxies = List.copyOf(trustedProxies);
        if (warmupRequests < 0) {
            throw new IllegalArgumentException(name + ": warmupRequests must not be negative: " + warmupRequests);
        }
    }
}
