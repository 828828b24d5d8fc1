package dev.baton.supervisor.control;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpServerCodec;

import java.time.Duration;

/**
 * The pipeline of one control connection: HTTP/1.1 codec, {@link ControlAggregator} (the request with its body in
 * one message, 413 beyond {@link #MAX_BODY}), {@link RequestDeadline} (408 for a request not in after its timeout)
 * and {@link ControlHandler}. Every refusal on the way is a JSON {@link ErrorReply}, then the connection closes.
 */
final class ControlInitializer extends ChannelInitializer<Channel> {

    /** Longest request line, in bytes; beyond it the answer is 414. */
    static final int MAX_LINE = 4096;
    /** Longest head (all header lines together), in bytes; beyond it the answer is 431. */
    static final int MAX_HEADERS = 8192;
    /** Largest request body, in bytes; beyond it the answer is 413. No endpoint reads a body. */
    static final int MAX_BODY = 64 * 1024;
    /**
     * How long a client has, from connecting, to send its whole request, head and body; then 408 and close. A
     * request line is a few hundred bytes, so this only cuts a client that stalls or sends nothing (a process
     * stopped half-way, {@code nc} left open). A streamed answer (logs {@code follow}, a reload) is not timed.
     */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final ControlApi api;
    private final Duration requestTimeout;
    private final boolean adminOnly;

    ControlInitializer(ControlApi api, Duration requestTimeout) {
        this(api, requestTimeout, false);
    }

    /** {@code adminOnly}: the admin address, which answers only the endpoints safe over a network. */
    ControlInitializer(ControlApi api, Duration requestTimeout, boolean adminOnly) {
        this.api = api;
        this.requestTimeout = requestTimeout;
        this.adminOnly = adminOnly;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline().addLast(new HttpServerCodec(MAX_LINE, MAX_HEADERS, 8192),
                new ControlAggregator(MAX_BODY),
                new RequestDeadline(requestTimeout),
                new ControlHandler(api, adminOnly));
    }
}
