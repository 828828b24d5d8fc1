package dev.baton.conf;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The reverse proxy in front of one program's workers: the proxy keys of {@code [program.NAME]}. A program has one
 * exactly when it has {@code listen}; every other proxy key then takes its default when left out, see
 * {@link #defaults(List)}. Durations are longer than 0 and at most 24 hours. Build one with {@link #builder(List)},
 * which has one setter per key, named after it.
 *
 * @param listen         key {@code listen}: where clients connect; a string or an array of strings, not empty, no
 *                       address twice in the whole file
 * @param health         how workers are checked and warmed up
 * @param limits         how much one worker, the queue and one request may take
 * @param timeouts       how long each wait may last
 * @param trustedProxies key {@code trusted_proxies}: IP addresses and CIDR blocks ({@code "10.0.0.0/8"},
 *                       {@code "::1"}) whose {@code X-Forwarded-For} is believed, as written; default none
 * @param accessLog      where and how requests are logged
 */
public record ProxyConfig(
        List<ListenAddress> listen,
        Health health,
        Limits limits,
        Timeouts timeouts,
        List<String> trustedProxies,
        AccessLog accessLog) {

    public ProxyConfig {
        listen = List.copyOf(listen);
        trustedProxies = List.copyOf(trustedProxies);
    }

    /**
     * Health checks and warm-up of workers.
     *
     * @param path           key {@code health_check}: HTTP path, such as {@code "/healthz"}, a worker must answer
     *                       with 2xx to be healthy; default none: healthy when it accepts a connection
     * @param interval       key {@code health_interval}: time between health checks of a worker; default 2s
     * @param timeout        key {@code health_timeout}: one health check fails after this; default 1s
     * @param rise           key {@code health_rise}: passing checks in a row that re-admit an ejected worker (a new
     *                       worker is admitted after its first pass), at least 1; default 2
     * @param fall           key {@code health_fall}: failing checks in a row that eject a worker, at least 1;
     *                       default 3
     * @param warmupPath     key {@code warmup_path}: HTTP path a new worker is sent GET requests on after its first
     *                       passed health check and before it gets traffic, so the first user does not pay for lazy
     *                       imports; their answers are not judged; default none
     * @param warmupRequests key {@code warmup_requests}: how many such requests, one after the other, at least 1;
     *                       default 1 (only with {@code warmup_path})
     */
    public record Health(Optional<String> path, Duration interval, Duration timeout, int rise, int fall,
                         Optional<String> warmupPath, int warmupRequests) {
    }

    /**
     * Limits on workers, the queue and requests.
     *
     * @param maxInflight   key {@code max_inflight}: requests one worker handles at once, 0 = unlimited; default 1
     * @param maxQueue      key {@code max_queue}: requests waiting inside Baton for a free worker; default 1000
     * @param maxHeaderSize key {@code max_header_size}: bytes of request line and headers, 1KB..1MB;
     *                      default 16KB (16384)
     * @param maxBodySize   key {@code max_body_size}: bytes of a request body, 0 = unlimited; default 0
     * @param retries       key {@code retries}: attempts of a failed request on another worker; default 2
     */
    public record Limits(int maxInflight, int maxQueue, long maxHeaderSize, long maxBodySize, int retries) {
    }

    /**
     * Timeouts of the proxy.
     *
     * @param queue             key {@code queue_timeout}: longest wait in the queue for a free worker; default 30s
     * @param connect           key {@code connect_timeout}: connecting to a worker; default 5s
     * @param response          key {@code response_timeout}: from request sent to the first response byte, and the
     *                          longest silence between response bytes; default 60s
     * @param header            key {@code header_timeout}: a client must send complete request headers within this;
     *                          default 10s
     * @param body              key {@code body_timeout}: the longest silence while reading a request body (Baton
     *                          waits for the client's next bytes); default 30s
     * @param keepalive         key {@code keepalive_timeout}: an idle client keep-alive connection is closed after
     *                          this; default 75s
     * @param upstreamKeepalive key {@code upstream_keepalive_timeout}: an idle pooled connection to a worker is closed
     *                          after this, which must be shorter than the worker's own (gunicorn: 2s); default 1s
     */
    public record Timeouts(Duration queue, Duration connect, Duration response, Duration header, Duration body,
                           Duration keepalive, Duration upstreamKeepalive) {
    }

    /**
     * The access log.
     *
     * @param path     key {@code access_log}: access log file, resolved against the configuration folder;
     *                 default none (no access log)
     * @param format   key {@code access_log_format}: {@code "combined"} or {@code "json"}; default combined
     * @param maxbytes key {@code access_log_maxbytes}: rotate the access log past this size, 0 = never; default 50MB
     * @param backups  key {@code access_log_backups}: rotated access logs kept; default 10
     */
    public record AccessLog(Optional<Path> path, AccessLogFormat format, long maxbytes, int backups) {
    }

    /** A builder with {@code listen} set and every other key at its default. */
    public static Builder builder(List<ListenAddress> listen) {
        return new Builder().listen(listen);
    }

    /** The proxy a program gets with only {@code listen} set: every other key at its default. */
    public static ProxyConfig defaults(List<ListenAddress> listen) {
        return builder(listen).build();
    }

    /** A builder holding every value of this proxy. */
    public Builder toBuilder() {
        return builder(listen)
                .healthCheck(health.path()).healthInterval(health.interval()).healthTimeout(health.timeout())
                .healthRise(health.rise()).healthFall(health.fall())
                .warmupPath(health.warmupPath()).warmupRequests(health.warmupRequests())
                .maxInflight(limits.maxInflight()).maxQueue(limits.maxQueue())
                .maxHeaderSize(limits.maxHeaderSize()).maxBodySize(limits.maxBodySize()).retries(limits.retries())
                .queueTimeout(timeouts.queue()).connectTimeout(timeouts.connect())
                .responseTimeout(timeouts.response()).headerTimeout(timeouts.header()).bodyTimeout(timeouts.body())
                .keepaliveTimeout(timeouts.keepalive()).upstreamKeepaliveTimeout(timeouts.upstreamKeepalive())
                .trustedProxies(trustedProxies)
                .accessLog(accessLog.path()).accessLogFormat(accessLog.format())
                .accessLogMaxbytes(accessLog.maxbytes()).accessLogBackups(accessLog.backups());
    }

    /**
     * Builds a {@link ProxyConfig} one key at a time: each setter is named after its TOML key and documented on the
     * grouped record that holds it. Unset keys keep their defaults.
     */
    public static final class Builder {
        private List<ListenAddress> listen = List.of();
        private Optional<String> healthCheck = Optional.empty();
        private Duration healthInterval = Duration.ofSeconds(2);
        private Duration healthTimeout = Duration.ofSeconds(1);
        private int healthRise = 2;
        private int healthFall = 3;
        private Optional<String> warmupPath = Optional.empty();
        private int warmupRequests = 1;
        private int maxInflight = 1;
        private int maxQueue = 1000;
        private long maxHeaderSize = 16 * 1024;
        private long maxBodySize = 0;
        private int retries = 2;
        private Duration queueTimeout = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration responseTimeout = Duration.ofSeconds(60);
        private Duration headerTimeout = Duration.ofSeconds(10);
        private Duration bodyTimeout = Duration.ofSeconds(30);
        private Duration keepaliveTimeout = Duration.ofSeconds(75);
        private Duration upstreamKeepaliveTimeout = Duration.ofSeconds(1);
        private List<String> trustedProxies = List.of();
        private Optional<Path> accessLog = Optional.empty();
        private AccessLogFormat accessLogFormat = AccessLogFormat.COMBINED;
        private long accessLogMaxbytes = 50L * 1024 * 1024;
        private int accessLogBackups = 10;

        private Builder() {
        }

        /** Key {@code listen}, see {@link ProxyConfig#listen()}. */
        public Builder listen(List<ListenAddress> value) {
            listen = value;
            return this;
        }

        /** Key {@code health_check}, see {@link Health#path()}. */
        public Builder healthCheck(Optional<String> value) {
            healthCheck = value;
            return this;
        }

        /** Key {@code health_interval}, see {@link Health#interval()}. */
        public Builder healthInterval(Duration value) {
            healthInterval = value;
            return this;
        }

        /** Key {@code health_timeout}, see {@link Health#timeout()}. */
        public Builder healthTimeout(Duration value) {
            healthTimeout = value;
            return this;
        }

        /** Key {@code health_rise}, see {@link Health#rise()}. */
        public Builder healthRise(int value) {
            healthRise = value;
            return this;
        }

        /** Key {@code health_fall}, see {@link Health#fall()}. */
        public Builder healthFall(int value) {
            healthFall = value;
            return this;
        }

        /** Key {@code warmup_path}, see {@link Health#warmupPath()}. */
        public Builder warmupPath(Optional<String> value) {
            warmupPath = value;
            return this;
        }

        /** Key {@code warmup_requests}, see {@link Health#warmupRequests()}. */
        public Builder warmupRequests(int value) {
            warmupRequests = value;
            return this;
        }

        /** Key {@code max_inflight}, see {@link Limits#maxInflight()}. */
        public Builder maxInflight(int value) {
            maxInflight = value;
            return this;
        }

        /** Key {@code max_queue}, see {@link Limits#maxQueue()}. */
        public Builder maxQueue(int value) {
            maxQueue = value;
            return this;
        }

        /** Key {@code max_header_size}, see {@link Limits#maxHeaderSize()}. */
        public Builder maxHeaderSize(long value) {
            maxHeaderSize = value;
            return this;
        }

        /** Key {@code max_body_size}, see {@link Limits#maxBodySize()}. */
        public Builder maxBodySize(long value) {
            maxBodySize = value;
            return this;
        }

        /** Key {@code retries}, see {@link Limits#retries()}. */
        public Builder retries(int value) {
            retries = value;
            return this;
        }

        /** Key {@code queue_timeout}, see {@link Timeouts#queue()}. */
        public Builder queueTimeout(Duration value) {
            queueTimeout = value;
            return this;
        }

        /** Key {@code connect_timeout}, see {@link Timeouts#connect()}. */
        public Builder connectTimeout(Duration value) {
            connectTimeout = value;
            return this;
        }

        /** Key {@code response_timeout}, see {@link Timeouts#response()}. */
        public Builder responseTimeout(Duration value) {
            responseTimeout = value;
            return this;
        }

        /** Key {@code header_timeout}, see {@link Timeouts#header()}. */
        public Builder headerTimeout(Duration value) {
            headerTimeout = value;
            return this;
        }

        /** Key {@code body_timeout}, see {@link Timeouts#body()}. */
        public Builder bodyTimeout(Duration value) {
            bodyTimeout = value;
            return this;
        }

        /** Key {@code keepalive_timeout}, see {@link Timeouts#keepalive()}. */
        public Builder keepaliveTimeout(Duration value) {
            keepaliveTimeout = value;
            return this;
        }

        /** Key {@code upstream_keepalive_timeout}, see {@link Timeouts#upstreamKeepalive()}. */
        public Builder upstreamKeepaliveTimeout(Duration value) {
            upstreamKeepaliveTimeout = value;
            return this;
        }

        /** Key {@code trusted_proxies}, see {@link ProxyConfig#trustedProxies()}. */
        public Builder trustedProxies(List<String> value) {
            trustedProxies = value;
            return this;
        }

        /** Key {@code access_log}, see {@link AccessLog#path()}. */
        public Builder accessLog(Optional<Path> value) {
            accessLog = value;
            return this;
        }

        /** Key {@code access_log_format}, see {@link AccessLog#format()}. */
        public Builder accessLogFormat(AccessLogFormat value) {
            accessLogFormat = value;
            return this;
        }

        /** Key {@code access_log_maxbytes}, see {@link AccessLog#maxbytes()}. */
        public Builder accessLogMaxbytes(long value) {
            accessLogMaxbytes = value;
            return this;
        }

        /** Key {@code access_log_backups}, see {@link AccessLog#backups()}. */
        public Builder accessLogBackups(int value) {
            accessLogBackups = value;
            return this;
        }

        public ProxyConfig build() {
            return new ProxyConfig(listen,
                    new Health(healthCheck, healthInterval, healthTimeout, healthRise, healthFall,
                            warmupPath, warmupRequests),
                    new Limits(maxInflight, maxQueue, maxHeaderSize, maxBodySize, retries),
                    new Timeouts(queueTimeout, connectTimeout, responseTimeout, headerTimeout, bodyTimeout, keepaliveTimeout,
                            upstreamKeepaliveTimeout),
                    trustedProxies,
                    new AccessLog(accessLog, accessLogFormat, accessLogMaxbytes, accessLogBackups));
        }
    }
}
