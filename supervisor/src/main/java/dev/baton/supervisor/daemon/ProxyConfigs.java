package dev.baton.supervisor.daemon;

import dev.baton.conf.AccessLogFormat;
import dev.baton.conf.ListenAddress;
import dev.baton.conf.ProxyConfig;
import dev.baton.proxy.ProxySettings;
import io.netty.channel.unix.DomainSocketAddress;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** The configuration's proxy keys as the proxy takes them: {@link ProxyConfig} to {@link ProxySettings}. */
final class ProxyConfigs {

    private ProxyConfigs() {
    }

    static ProxySettings settings(String name, ProxyConfig c) {
        ProxyConfig.Health health = c.health();
        ProxyConfig.Limits limits = c.limits();
        ProxyConfig.Timeouts timeouts = c.timeouts();
        return ProxySettings.builder(name)
                .listen(c.listen().stream().map(ProxyConfigs::address).toList())
                .healthCheck(health.path())
                .healthInterval(health.interval())
                .healthTimeout(health.timeout())
                .healthRise(health.rise())
                .healthFall(health.fall())
                .warmupPath(health.warmupPath())
                .warmupRequests(health.warmupRequests())
                .maxInflight(limits.maxInflight())
                .maxQueue(limits.maxQueue())
                .maxHeaderSize((int) limits.maxHeaderSize())
                .maxBodySize(limits.maxBodySize())
                .retries(limits.retries())
                .queueTimeout(timeouts.queue())
                .connectTimeout(timeouts.connect())
                .responseTimeout(timeouts.response())
                .headerTimeout(timeouts.header())
                .bodyTimeout(timeouts.body())
                .keepaliveTimeout(timeouts.keepalive())
                .upstreamKeepaliveTimeout(timeouts.upstreamKeepalive())
                .trustedProxies(c.trustedProxies())
                .accessLogJson(c.accessLog().format() == AccessLogFormat.JSON)
                .build();
    }

    static SocketAddress address(ListenAddress a) {
        if (a.isUnix()) {
            return new DomainSocketAddress(a.unixPath().orElseThrow().toString());
        }
        return a.host().isEmpty() ? new InetSocketAddress(a.port()) : new InetSocketAddress(a.host(), a.port());
    }
}
