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
 * worker (refused, reset on connect, write failed) is retried on another worker; a reset after the request was
 * sent but before any response byte is retried only for idempotent methods whose body Baton still holds; once
 * response bytes went to the client, never. Attempts are bounded by {@code retries}.
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
    private final long started = System.currentTimeMillis();
    private final List<HttpContent> held = new ArrayList<>();
    private final Set<Backend> tried = new HashSet<>();

    private State state = State.WAITING;
    private boolean requestComplete;
    private boolean replayable = true;
    private boolean requestSent;
    private boolean responseStarted;
    private boolean responseKeepAlive;
    private boolean closeDelimited;
    private boolean continueSent;
    private long bodyBytes;
    private int attempts;
    private Backend backend;
    private Backend slot;
    private Channel upstream;
    private boolean reused;
    private final ResponseTimer timer;
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
        this.timer = new ResponseTimer(client.executor(), program.settings().timeouts().response().toNanos(),
                this::timedOut);
    }

    HttpRequest head() {
        return head;
    }

    void start() {
        attempts++;
        state = State.WAITING;
        program.balancer().acquire(client.executor(), tried, this::granted, refusal -> {
            if (state == State.WAITING) {
                fail(HttpResponseStatus.SERVICE_UNAVAILABLE, refusal == Balancer.Refusal.QUEUE_FULL
                        ? "queue full" : "no worker free within queue_timeout", requestComplete);
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
                    + Errors.describe(f.cause()), true);
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
        for (HttpContent c : held) {
            ch.write(c.retainedDuplicate()).addListener(writeFailed(ch));
        }
        ch.flush();
        ch.read();
        if (requestComplete) {
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
                retryOrFail(HttpResponseStatus.BAD_GATEWAY, "cannot send to " + backend.id() + ": "
                        + Errors.describe(f.cause()), replayable);
            }
        };
    }

    /** A piece of the request body from the client (this exchange owns it now). */
    void clientContent(HttpContent content) {
        bodyBytes += content.content().readableBytes();
        boolean last = content instanceof LastHttpContent;
        if (state == State.DONE) {
            ReferenceCountUtil.release(content);
            return;
        }
        if (program.settings().limits().maxBodySize() > 0 && bodyBytes > program.settings().limits().maxBodySize()) {
            ReferenceCountUtil.release(content);
            fail(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "body larger than max_body_size", false);
            return;
        }
        requestComplete = last;
        if (state == State.WAITING || state == State.CONNECTING) {
            held.add(content);
            return;
        }
        if (content.content().isReadable()) {
            replayable = false; // body bytes streamed to a worker cannot be sent again
        } else if (last) {
            held.add(LastHttpContent.EMPTY_LAST_CONTENT); // a retry ends the request the same way
        }
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
        ClientResponse out = ClientResponse.of(response, head.method(), clientKeepAlive, clientHttp10);
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
            abort(backend.id() + " closed the connection in the middle of the response");
            return;
        }
        Backend b = backend;
        if (!reused) {
            b.eject("connection reset before answering");
        }
        detachUpstream(false);
        releaseSlot();
        boolean safe = !requestSent && replayable || idempotent && replayable;
        retryOrFail(HttpResponseStatus.BAD_GATEWAY, b.id() + " closed the connection before answering", safe);
    }

    @Override
    public void upstreamWritabilityChanged() {
        if (upstream != null && upstream.isWritable() && state == State.SENDING && !requestComplete) {
            client.read();
        }
    }

    private void timedOut() {
        if (state == State.DONE || state == State.TUNNEL) {
            return;
        }
        if (responseStarted) {
            abort(backend.id() + " stopped sending its response for response_timeout");
            return;
        }
        detachUpstream(false);
        releaseSlot();
        fail(HttpResponseStatus.GATEWAY_TIMEOUT, "no answer from " + backend.id() + " within response_timeout",
                requestComplete);
    }

    private void retryOrFail(HttpResponseStatus status, String why, boolean safe) {
        if (safe && attempts <= program.settings().limits().retries() && frontend.active()) {
            program.log().info(program.name() + ": " + head.method() + " " + head.uri() + ": " + why
                    + "; retrying on another worker");
            start();
            return;
        }
        fail(status, why, requestComplete);
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
        boolean keepAlive = clientKeepAlive && canKeepAlive;
        io.netty.handler.codec.http.FullHttpResponse response = failure == HttpResponseStatus.SERVICE_UNAVAILABLE
                ? Responses.unavailable(why, program.settings().timeouts().queue().toSeconds() / 10)
                : Responses.error(failure, why);
        bytesOut = response.content().readableBytes();
        logAccess();
        releaseHeld();
        Responses.send(client, response, !keepAlive);
        frontend.exchangeDone(this, keepAlive);
    }

    private void finish() {
        state = State.DONE;
        cancelTimer();
        boolean reusable = responseKeepAlive && requestSent && !closeDelimited;
        detachUpstream(reusable);
        releaseSlot();
        releaseHeld();
        logAccess();
        frontend.exchangeDone(this, clientKeepAlive && !(clientHttp10 && closeDelimited));
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
        releaseHeld();
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
        releaseHeld();
    }

    /** The response head of a websocket upgrade went out: the exchange no longer counts against max_inflight. */
    void upgraded() {
        cancelTimer();
        status = 101;
        releaseSlot();
        releaseHeld();
        logAccess();
        upstream = null;
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

    private void releaseHeld() {
        held.forEach(ReferenceCountUtil::release);
        held.clear();
    }

    private void cancelTimer() {
        timer.cancel();
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
