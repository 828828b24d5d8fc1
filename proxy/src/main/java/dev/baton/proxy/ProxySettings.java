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
        boolean accessLogJson) {

    public ProxySettings {
        listen = List.copyOf(listen);
        trustedProxies = List.copyOf(trustedProxies);
    }
}
