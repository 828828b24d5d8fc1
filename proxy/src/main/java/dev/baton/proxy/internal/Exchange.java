package dev.baton.proxy.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import dev.baton.proxy.ProxySettings;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One request's way through the proxy, on its client connection's event loop: wait for a worker, connect (or
 * reuse a connection), send the request, relay the response, then give the worker connection back.
 *
 * <p>Retries never duplicate a request a worker may have acted on: a failure before the request reached a
 * worker (refused, reset on connect, write failed, a worker found gone) is tried again, and does not count against
 * {@code retries}: the worker is ejected, so the request goes to another one or waits in the queue for the
 * restarted one. A reset after the request was sent but before any response byte is retried only for idempotent
 * methods whose body Baton still holds, at most {@code retries} times; once response bytes went to the client,
 * never. All the waiting for a worker together is bounded by {@code queue_timeout}.
 *
 * <p>The program's settings are read once, when the request arrives; the worker's own (response timeout) once it
 * is chosen. A worker that fails the request (closes mid-response, resets, times out) hears of it
 * ({@link Backend#requestFailed}); one that answers it whole, too.
 */
final class Exchange implements BackendHandler.Listener {

    private enum State { WAITING, CONNECTING, SENDING, TUNNEL, DONE }

    private final ProgramProxy program;
    private final ChannelHandlerContext client;
    private final FrontendHandler frontend;
    private final HttpRequest head;
    private final boolean clientKeepAlive;
    private final boolean clientHttp10;
    private final boolean idempotent;
    private final boolean expectContinue;
    private final boolean upgrade;
    /** Tries that reached no worker are not counted against {@code retries}, but they are bounded too. */
    private static final int MAX_UNSENT_TRIES = 16;

    private final long started = System.currentTimeMillis();
    private final ProxySettings settings;
    private final long waitDeadline;
    private final RequestBody body = new RequestBody();
    private final Set<Backend> tried = new HashSet<>();

    private State state = State.WAITING;
    private boolean requestSent;
    private boolean responseStarted;
    private boolean responseKeepAlive;
    private boolean closeDelimited;
    private boolean continueSent;
    private int attempts;
    private int unsentTries;
    private Backend backend;
    private Backend slot;
    private Channel upstream;
    private boolean reused;
    private ResponseTimer timer;
    private boolean logged;
    private int status;
    private long bytesOut;

    Exchange(ProgramProxy program, ChannelHandlerContext client, FrontendHandler frontend, HttpRequest head,
             boolean clientKeepAlive, boolean clientHttp10, boolean expectContinue, boolean upgrade) {
        this.program = program;
        this.client = client;
        this.frontend = frontend;
        this.head = head;
        this.clientKeepAlive = clientKeepAlive;
        this.clientHttp10 = clientHttp10;
        this.expectContinue = expectContinue;
        this.upgrade = upgrade;
        this.idempotent = Methods.idempotent(head.method());
        this.settings = program.settings();
        this.waitDeadline = System.nanoTime() + settings.timeouts().queue().toNanos();
    }

    HttpRequest head() {
        return head;
    }

    void start() {
        state = State.WAITING;
        long wait = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(waitDeadline - System.nanoTime());
        program.balancer().acquire(client.executor(), tried, wait, this::granted, refusal -> {
            if (state == State.WAITING) {
                fail(HttpResponseStatus.SERVICE_UNAVAILABLE, switch (refusal) {
                    case QUEUE_FULL -> "queue full";
                    case QUEUE_TIMEOUT -> "no worker free within queue_timeout";
                    case DOWN -> String.valueOf(program.balancer().down());
                }, body.complete());
            }
        });
    }

    private void granted(Backend b) {
        if (state != State.WAITING) {
            program.balancer().release(b);
            return;
        }
        backend = b;
        slot = b;
        tried.add(b);
        if (b.state() == BackendState.REMOVED) { // gone since the grant was handed out: nothing was sent
            releaseSlot();
            retryOrFail(HttpResponseStatus.BAD_GATEWAY, b.id() + " is gone", false);
            return;
        }
        timer = new ResponseTimer(client.executor(), b.settings().timeouts().response().toNanos(), this::timedOut);
        state = State.CONNECTING;
        program.upstream().acquire(b, client.channel().eventLoop()).addListener(this::connected);
    }

    private void connected(Future<? super Upstream.Lease> f) {
        Backend b = backend;
        if (state != State.CONNECTING) {
            if (f.isSuccess()) {
                ((Upstream.Lease) f.getNow()).channel().close();
            }
            return;
        }
        if (!f.isSuccess()) {
            b.eject("connection failed: " + Errors.describe(f.cause()));
            releaseSlot();
            retryOrFail(HttpResponseStatus.BAD_GATEWAY, "cannot connect to " + b.id() + ": "
                    + Errors.describe(f.cause()), false);
            return;
        }
        Upstream.Lease lease = (Upstream.Lease) f.getNow();
        upstream = lease.channel();
        reused = lease.reused();
        upstream.config().setAutoRead(false);
        BackendHandler.of(upstream).listener(this);
        state = upgrade ? State.TUNNEL : State.SENDING;
        send();
    }

    /** Writes the head and whatever body Baton holds, then asks for more body or for the response. */
    private void send() {
        Channel ch = upstream;
        ch.write(head).addListener(writeFailed(ch));
        if (expectContinue && !continueSent) {
            continueSent = true;
            client.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
        body.replay(ch, writeFailed(ch));
        attempts++;
        ch.flush();
        ch.read();
        if (body.complete()) {
            requestSent();
        } else {
            client.read();
        }
    }

    private ChannelFutureListener writeFailed(Channel ch) {
        return f -> {
            if (!f.isSuccess() && ch == upstream && !responseStarted && state != State.DONE) {
                // nothing of this request can have been acted on: the write itself failed
                detachUpstream(false);
                releaseSlot();
                if (body.replayable()) {
                    attempts--; // nothing of it reached the worker: this try does not count
                    retryOrFail(HttpResponseStatus.BAD_GATEWAY, "cannot send to " + backend.id() + ": "
                            + Errors.describe(f.cause()), false);
                } else {
                    fail(HttpResponseStatus.BAD_GATEWAY, "cannot send to " + backend.id() + ": "
                            + Errors.describe(f.cause()), false);
                }
            }
        };
    }

    /** A piece of the request body from the client (this exchange owns it now). */
    void clientContent(HttpContent content) {
        long size = body.arrived(content);
        boolean last = content instanceof LastHttpContent;
        if (state == State.DONE) {
            ReferenceCountUtil.release(content);
            return;
        }
        long max = settings.limits().maxBodySize();
        if (max > 0 && size > max) {
            ReferenceCountUtil.release(content);
            fail(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "body larger than max_body_size", false);
            return;
        }
        if (state == State.WAITING || state == State.CONNECTING) {
            body.hold(content);
            return;
        }
        body.streaming(content);
        Channel ch = upstream;
        ch.writeAndFlush(content).addListener(f -> {
            if (!f.isSuccess()) {
                writeFailed(ch).operationComplete(ch.newFailedFuture(f.cause()));
            } else if (last) {
                requestSent();
            } else if (state == State.SENDING) {
                client.read();
            }
        });
    }

    private void requestSent() {
        requestSent = true;
        timer.touch();
    }

    @Override
    public void upstreamRead(Object msg) {
        if (state == State.DONE || upstream == null) {
            ReferenceCountUtil.release(msg); // e.g. the empty end of a 101 answer, once tunnelling
            return;
        }
        timer.touch();
        if (msg instanceof HttpResponse response) {
            if (response.status().code() == 101 && upgrade) {
                Channel ch = upstream;
                Tunnel.splice(this, backend, client, ch, response);
                return;
            }
            if (state == State.TUNNEL) {
                state = State.SENDING; // the worker refused the upgrade: an ordinary response follows
            }
            if (response.status().codeClass() == io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL) {
                ReferenceCountUtil.release(msg); // Baton answered Expect itself; other 1xx are dropped
                upstream.read();
                return;
            }
            relayHead(response);
        }
        if (msg instanceof HttpContent content) {
            relayContent(content);
        } else {
            if (!(msg instanceof HttpResponse)) {
                ReferenceCountUtil.release(msg);
            }
            upstream.read(); // a head alone: ask for the body
        }
    }

    private void relayHead(HttpResponse response) {
        responseStarted = true;
        status = response.status().code();
        responseKeepAlive = HttpUtil.isKeepAlive(response);
        ClientResponse out = ClientResponse.of(response, head.method(), keepAlive(), clientHttp10);
        closeDelimited = out.closeDelimited();
        client.write(out.head());
    }

    private void relayContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        bytesOut += content.content().readableBytes();
        if (last) {
            logAccess(); // before the client can see the end of the response and send its next request
        }
        Channel ch = upstream;
        client.writeAndFlush(content).addListener(f -> {
            if (!f.isSuccess()) {
                abort("client went away: " + Errors.describe(f.cause()));
            } else if (!last && ch == upstream && state == State.SENDING) {
                ch.read();
            }
        });
        if (last) {
            finish();
        }
    }

    @Override
    public void upstreamInactive() {
        if (state == State.DONE || state == State.TUNNEL) {
            return;
        }
        if (responseStarted && closeDelimited) {
            logAccess();
            client.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            responseKeepAlive = false;
            finish();
            return;
        }
        if (responseStarted) {
            backend.requestFailed("closed the connection in the middle of a response");
            abort(backend.id() + " closed the connection in the middle of the response");
            return;
        }
        Backend b = backend;
        if (reused) {
            b.closeIdle(); // the worker closed one pooled connection: it may have closed (or lost) them all
        } else {
            b.eject("connection reset before answering");
        }
        detachUpstream(false);
        releaseSlot();
        boolean safe = body.replayable() && (!requestSent || idempotent);
        if (safe && attempts <= settings.limits().retries()) {
            retryOrFail(HttpResponseStatus.BAD_GATEWAY, b.id() + " closed the connection before answering", true);
        } else {
            b.requestFailed("closed the connection before answering");
            fail(HttpResponseStatus.BAD_GATEWAY, b.id() + " closed the connection before answering", body.complete());
        }
    }

    @Override
    public void upstreamWritabilityChanged() {
        if (upstream != null && upstream.isWritable() && state == State.SENDING && !body.complete()) {
            client.read();
        }
    }

    private void timedOut() {
        if (state == State.DONE || state == State.TUNNEL) {
            return;
        }
        backend.requestFailed("no answer within response_timeout");
        if (responseStarted) {
            abort(backend.id() + " stopped sending its response for response_timeout");
            return;
        }
        detachUpstream(false);
        releaseSlot();
        fail(HttpResponseStatus.GATEWAY_TIMEOUT, "no answer from " + backend.id() + " within response_timeout",
                body.complete());
    }

    /**
     * Tries the request again (on another worker, or the same one once it is back), unless the client left or the
     * tries ran out. {@code counted}: the worker may have acted on it (and {@link #attempts} says how often).
     */
    private void retryOrFail(HttpResponseStatus status, String why, boolean counted) {
        boolean more = counted ? attempts <= settings.limits().retries() : ++unsentTries <= MAX_UNSENT_TRIES;
        if (more && frontend.active()) {
            program.log().info(program.name() + ": " + head.method() + " " + head.uri() + ": " + why
                    + "; trying again");
            start();
            return;
        }
        fail(status, why, body.complete());
    }

    /** False once this answer must close the connection: the client asked, or the program stopped accepting. */
    private boolean keepAlive() {
        return clientKeepAlive && !frontend.closing();
    }

    /** Answers the client with an error (nothing was sent to it yet) and ends the exchange. */
    private void fail(HttpResponseStatus failure, String why, boolean canKeepAlive) {
        if (state == State.DONE) {
            return;
        }
        if (responseStarted) {
            abort(why);
            return;
        }
        state = State.DONE;
        cancelTimer();
        detachUpstream(false);
        releaseSlot();
        status = failure.code();
        program.log().warn(program.name() + ": " + head.method() + " " + head.uri() + " -> " + status + ": " + why);
        boolean keepAlive = keepAlive() && canKeepAlive;
        io.netty.handler.codec.http.FullHttpResponse response = failure == HttpResponseStatus.SERVICE_UNAVAILABLE
                ? Responses.unavailable(why, settings.timeouts().queue().toSeconds() / 10)
                : Responses.error(failure, why);
        bytesOut = response.content().readableBytes();
        logAccess();
        body.release();
        Responses.send(client, response, !keepAlive);
        frontend.exchangeDone(this, keepAlive);
    }

    private void finish() {
        state = State.DONE;
        cancelTimer();
        boolean reusable = responseKeepAlive && requestSent && !closeDelimited;
        backend.requestSucceeded();
        detachUpstream(reusable);
        releaseSlot();
        body.release();
        logAccess();
        frontend.exchangeDone(this, keepAlive() && !(clientHttp10 && closeDelimited));
    }

    /** Something broke after response bytes reached the client: all Baton can do is close both connections. */
    void abort(String why) {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        program.log().warn(program.name() + ": " + head.method() + " " + head.uri() + " aborted"
                + (backend == null ? "" : " on " + backend.id()) + ": " + why);
        cancelTimer();
        detachUpstream(false);
        releaseSlot();
        body.release();
        client.close();
    }

    /** The client connection closed: whatever this exchange holds is let go. */
    void clientGone() {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        cancelTimer();
        if (upstream != null) {
            upstream.close();
            upstream = null;
        }
        releaseSlot();
        body.release();
    }

    /** The response head of a websocket upgrade went out: the exchange no longer counts against max_inflight. */
    void upgraded() {
        cancelTimer();
        status = 101;
        releaseSlot();
        body.release();
        logAccess();
        upstream = null;
        program.tunnelled(client.channel());
    }

    private void detachUpstream(boolean reusable) {
        Channel ch = upstream;
        upstream = null;
        if (ch != null) {
            BackendHandler handler = BackendHandler.of(ch);
            if (handler != null) {
                handler.listener(null);
            }
            program.upstream().release(backend, ch, reusable);
        }
    }

    /** Gives back the balancer slot this exchange holds, if any (exactly once per grant). */
    private void releaseSlot() {
        if (slot != null) {
            program.balancer().release(slot);
            slot = null;
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
        }
    }

    private void logAccess() {
        if (logged) {
            return;
        }
        logged = true;
        program.accessLog(client.channel().remoteAddress(), head, status, bytesOut,
                backend == null ? "-" : backend.id(), System.currentTimeMillis() - started);
    }
}
