package dev.baton.conf;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The reverse proxy in front of one program's workers: the proxy keys of {@code [program.NAME]}. A program has one
 * exactly when it has {@code listen}; every other proxy key then takes its default when left out, see
 * {@link #defaults(List)}. Durations are longer than 0 and at most 24 hours.
 *
 * @param listen                   key {@code listen}: where clients connect; a string or an array of strings,
 *                                 not empty, no address twice in the whole file
 * @param healthCheck              key {@code health_check}: HTTP path, such as {@code "/healthz"}, a worker must
 *                                 answer with 2xx to be healthy; default none: healthy when it accepts a connection
 * @param maxInflight              key {@code max_inflight}: requests one worker handles at once, 0 = unlimited;
 *                                 default 1
 * @param maxQueue                 key {@code max_queue}: requests waiting inside Baton for a free worker; default 1000
 * @param queueTimeout             key {@code queue_timeout}: longest wait in that queue; default 30s
 * @param connectTimeout           key {@code connect_timeout}: connecting to a worker; default 5s
 * @param responseTimeout          key {@code response_timeout}: from request sent to the first response byte, and
 *                                 the longest silence between response bytes; default 60s
 * @param headerTimeout            key {@code header_timeout}: a client must send complete request headers within
 *                                 this; default 10s
 * @param keepaliveTimeout         key {@code keepalive_timeout}: an idle client keep-alive connection is closed
 *                                 after this; default 75s
 * @param upstreamKeepaliveTimeout key {@code upstream_keepalive_timeout}: an idle pooled connection to a worker is
 *                                 closed after this, which must be shorter than the worker's own (gunicorn: 2s);
 *                                 default 1s
 * @param maxHeaderSize            key {@code max_header_size}: bytes of request line and headers, 1KB..1MB;
 *                                 default 16KB (16384)
 * @param maxBodySize              key {@code max_body_size}: bytes of a request body, 0 = unlimited; default 0
 * @param healthInterval           key {@code health_interval}: time between health checks of a worker; default 2s
 * @param healthTimeout            key {@code health_timeout}: one health check fails after this; default 1s
 * @param healthRise               key {@code health_rise}: passing checks in a row that re-admit an ejected worker
 *                                 (a new worker is admitted after its first pass), at least 1; default 2
 * @param healthFall               key {@code health_fall}: failing checks in a row that eject a worker, at least 1;
 *                                 default 3
 * @param retries                  key {@code retries}: attempts of a failed request on another worker; default 2
 * @param trustedProxies           key {@code trusted_proxies}: IP addresses and CIDR blocks ({@code "10.0.0.0/8"},
 *                                 {@code "::1"}) whose {@code X-Forwarded-For} is believed, as written; default none
 * @param accessLog                key {@code access_log}: access log file, resolved against the configuration
 *                                 folder; default none (no access log)
 * @param accessLogFormat          key {@code access_log_format}: {@code "combined"} or {@code "json"};
 *                                 default combined
 * @param accessLogMaxbytes        key {@code access_log_maxbytes}: rotate the access log past this size, 0 = never;
 *                                 default 50MB
 * @param accessLogBackups         key {@code access_log_backups}: rotated access logs kept; default 10
 * @param warmupPath               key {@code warmup_path}: HTTP path a new worker is sent GET requests on after its
 *                                 first passed health check and before it gets traffic, so the first user does not
 *                                 pay for lazy imports; their answers are not judged; default none
 * @param warmupRequests           key {@code warmup_requests}: how many such requests, one after the other, at
 *                                 least 1; default 1 (only with {@code warmup_path})
 */
public record ProxyConfig(
        List<ListenAddress> listen,
        Optional<String> healthCheck,
        int maxInflight,
        int maxQueue,
        Duration queueTimeout,
        Duration connectTimeout,
        Duration responseTimeout,
        Duration headerTimeout,
        Duration keepaliveTimeout,
        Duration upstreamKeepaliveTimeout,
        long maxHeaderSize,
        long maxBodySize,
        Duration healthInterval,
        Duration healthTimeout,
        int healthRise,
        int healthFall,
        int retries,
        List<String> trustedProxies,
        Optional<Path> accessLog,
        AccessLogFormat accessLogFormat,
        long accessLogMaxbytes,
        int accessLogBackups,
        Optional<String> warmupPath,
        int warmupRequests) {

    public ProxyConfig {
        listen = List.copyOf(listen);
        trustedProxies = List.copyOf(trustedProxies);
    }

    /** The proxy a program gets with only {@code listen} set: every other key at its default. */
    public static ProxyConfig defaults(List<ListenAddress> listen) {
        return new ProxyConfig(listen, Optional.empty(), 1, 1000,
                Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(10),
                Duration.ofSeconds(75), Duration.ofSeconds(1), 16 * 1024, 0,
                Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3, 2, List.of(),
                Optional.empty(), AccessLogFormat.COMBINED, 50L * 1024 * 1024, 10, Optional.empty(), 1);
    }
}
