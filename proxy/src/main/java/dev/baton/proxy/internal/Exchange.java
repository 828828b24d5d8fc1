package dev.baton.proxy.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import dev.baton.proxy.ProxySettings;
import dev.baton.proxy.TrafficStats.UpstreamError;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;

/**
 * One request's way through the proxy, on its client connection's event loop: wait for a worker, connect (or
 * reuse a connection), send the request, relay the response ({@link ResponseRelay}), then give the worker
 * connection back. Each try on a worker is an {@link Attempt}; the budget of tries is {@link Tries}.
 *
 * <p>Retries never duplicate a request a worker may have acted on: a try that reached no worker (refused, gone, or a
 * first write that failed before the kernel took a byte of the head: {@link Attempt#reached}) goes again, any
 * method, to another worker or to the queue; once a byte may have reached the worker, a failure before any response
 * byte (reset, closed, a later write that failed) is retried only for idempotent methods whose whole body Baton
 * still holds; once response bytes went to the client, never. A request body that turns out malformed (chunk
 * framing) or stops arriving for {@code body_timeout} ends the exchange with 400 or 408 and closes the worker
 * connection before the request is complete there. The program's settings are read once, when the request arrives;
 * the worker's own (response timeout) once it is chosen. A worker hears of each request it failed (closed
 * mid-response, reset, timed out: {@link Backend#requestFailed}) and of each it answered whole; its counters
 * ({@link TryCounters}) count each try that was answered or failed.
 */
final class Exchange implements BackendHandler.Listener, Backend.Waiting {

    private enum State { WAITING, CONNECTING, SENDING, TUNNEL, DONE }

    private final ProgramProxy program;
    private final ChannelHandlerContext client;
    private final FrontendHandler frontend;
    private final ClientRequest request;
    private final HttpRequest head;
    private final long started = System.currentTimeMillis();
    private final long arrived = System.nanoTime();
    private final ProxySettings settings;
    private final RequestBody body = new RequestBody();
    private final ResponseRelay response;
    private final Tries tries;

    private State state = State.WAITING;
    private boolean requestSent;
    /** What the answer's head said: keep-alive (the client may send its next request at once), or close. */
    private boolean announcedKeepAlive;
    private boolean continueSent;
    /** Its side of a canary split, drawn when it first asks for a worker and kept for every try. */
    private Balancer.Group group;
    /** The current try; after it ended, the last one (its backend names the worker in messages). */
    private Attempt attempt;
    /** Its wait for a worker slot, and its answer, are counted once: {@link ProgramTraffic}. */
    private boolean waitCounted;
    private boolean answerCounted;

    Exchange(ProgramProxy program, ChannelHandlerContext client, FrontendHandler frontend, ClientRequest request) {
        this.program = program;
        this.client = client;
        this.frontend = frontend;
        this.request = request;
        this.head = request.forward();
        this.settings = program.settings();
        this.tries = new Tries(settings.limits().retries(), settings.timeouts().queue().toNanos());
        this.response = new ResponseRelay(client);
    }

    HttpRequest head() {
        return head;
    }

    void start() {
        state = State.WAITING;
        if (group == null) {
            group = program.balancer().draw();
        }
        program.balancer().acquire(client.executor(), tries.tried(), group, tries.waitMillis(), this::granted,
                this::refused);
    }

    private void refused(Balancer.Refusal refusal) {
        if (state == State.WAITING) {
            countWait();
            fail(HttpResponseStatus.SERVICE_UNAVAILABLE, switch (refusal) {
                case QUEUE_FULL -> "queue full";
                case QUEUE_TIMEOUT -> "no worker free within queue_timeout";
                case DOWN -> String.valueOf(program.balancer().down());
            }, body.complete());
        }
    }

    private void granted(Backend b) {
        if (state != State.WAITING) {
            program.balancer().release(b);
            return;
        }
        countWait();
        tries.granted(b);
        attempt = new Attempt(program, b, this, frontend.responseDeadline(), this::timedOut);
        if (b.state() == BackendState.REMOVED) { // gone since the grant was handed out: nothing was sent
            attempt.end(false);
            retryOrFail(HttpResponseStatus.BAD_GATEWAY, b.id() + " is gone", false);
            return;
        }
        state = State.CONNECTING;
        Attempt current = attempt;
        program.upstream().acquire(b, client.channel().eventLoop()).addListener(f -> connected(current, f));
    }

    private void connected(Attempt current, Future<? super Upstream.Lease> f) {
        if (state != State.CONNECTING || current != attempt) {
            if (f.isSuccess()) {
                ((Upstream.Lease) f.getNow()).channel().close();
            }
            return;
        }
        Backend b = current.backend();
        if (!f.isSuccess()) {
            countFailure(b, f.cause() instanceof ConnectTimeoutException ? UpstreamError.TIMEOUT
                    : UpstreamError.REFUSED);
            b.eject("connection failed: " + Errors.describe(f.cause()));
            current.end(false);
            retryOrFail(HttpResponseStatus.BAD_GATEWAY, "cannot connect to " + b.id() + ": "
                    + Errors.describe(f.cause()), false);
            return;
        }
        current.connected((Upstream.Lease) f.getNow(), this);
        state = request.upgrade() ? State.TUNNEL : State.SENDING;
        send();
        if (b.closesConnections() && b.spareLoop() == null && program.balancer().queued() > 0) {
            // a sync worker, busy now, with requests waiting: its next connection is ready when it is done
            program.upstream().openSpare(b, client.channel().eventLoop());
        }
    }

    /** The worker connection of the current try, or null. */
    private Channel upstream() {
        return attempt == null ? null : attempt.channel();
    }

    /** The worker of the current (or last) try. */
    private Backend backend() {
        return attempt.backend();
    }

    /** Writes the head and whatever body Baton holds, then asks for more body or for the response. */
    private void send() {
        if (request.expectContinue() && !continueSent) {
            continueSent = true;
            client.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
        tries.sent(); // before the writes: one that fails at once takes it back (Tries.unsent)
        attempt.send(head, body, writeFailed(upstream()));
        if (body.complete()) {
            requestSent();
        } else {
            client.read();
        }
    }

    private ChannelFutureListener writeFailed(Channel ch) {
        return f -> {
            if (!f.isSuccess() && ch == upstream() && !response.started() && state != State.DONE) {
                boolean reached = attempt.reached();
                countFailure(backend(), UpstreamError.RESET);
                attempt.end(false);
                againOrFail(HttpResponseStatus.BAD_GATEWAY, "cannot send to " + backend().id() + ": "
                        + Errors.describe(f.cause()), reached, false, false);
            }
        };
    }

    /**
     * A try failed before any response byte: the request goes again when {@link Tries#again} says it cannot
     * duplicate work, else the client gets {@code status}. False when it does not go again. {@code pooled}: the
     * worker closed the kept-alive connection the try was on before answering.
     */
    private boolean againOrFail(HttpResponseStatus status, String why, boolean reached, boolean pooled,
                                boolean canKeepAlive) {
        Tries.Again again = Tries.again(reached, pooled, body.replayable(), request.idempotent());
        if (again == Tries.Again.NEVER) {
            fail(status, why + Tries.notRetried(head.method().name(), body.replayable()), canKeepAlive);
            return false;
        }
        if (again == Tries.Again.COUNTED && !tries.mayResend()) {
            fail(status, why, canKeepAlive);
            return false;
        }
        if (again == Tries.Again.UNCOUNTED) {
            tries.unsent(); // not counted (Tries.again says why)
        }
        retryOrFail(status, why, again == Tries.Again.COUNTED);
        return true;
    }

    /** A piece of the request body from the client (this exchange owns it now). */
    void clientContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            String why = "malformed request body: " + Errors.describe(content.decoderResult().cause());
            ReferenceCountUtil.release(content);
            fail(HttpResponseStatus.BAD_REQUEST, why, false); // the worker never gets the end of it
            return;
        }
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
        Channel ch = upstream();
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
        attempt.touch();
    }

    @Override
    public void upstreamRead(Object msg) {
        Channel upstream = upstream();
        if (state == State.DONE || upstream == null) {
            ReferenceCountUtil.release(msg); // e.g. the empty end of a 101 answer, once tunnelling
            return;
        }
        attempt.touch();
        if (msg instanceof HttpResponse answer) {
            if (answer.status().code() == 101 && request.upgrade()) {
                Tunnel.splice(this, backend(), client, upstream, answer);
                return;
            }
            if (state == State.TUNNEL) {
                state = State.SENDING; // the worker refused the upgrade: an ordinary response follows
            }
            if (answer.status().codeClass() == io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL) {
                ReferenceCountUtil.release(msg); // Baton answered Expect itself; other 1xx are dropped
                upstream.read();
                return;
            }
            announcedKeepAlive = keepAlive();
            response.head(answer, head.method(), announcedKeepAlive, request.http10());
        }
        if (msg instanceof HttpContent content) {
            relayContent(content, upstream);
        } else {
            if (!(msg instanceof HttpResponse)) {
                ReferenceCountUtil.release(msg);
            }
            upstream.read(); // a head alone: ask for the body
        }
    }

    private void relayContent(HttpContent content, Channel upstream) {
        boolean last = content instanceof LastHttpContent;
        if (last) {
            countAnswered(); // before the client can see the end
        }
        response.content(content, upstream, () -> upstream == upstream() && state == State.SENDING, this::abort,
                this::logAccess);
        if (last) {
            finish();
        }
    }

    @Override
    public void upstreamInactive() {
        if (state == State.DONE || state == State.TUNNEL) {
            return;
        }
        if (response.received() && response.closeDelimited()) {
            countAnswered();
            response.endByClose(this::logAccess);
            finish();
            return;
        }
        Backend b = backend();
        if (response.started() || !attempt.reused()) { // a pooled connection closed while idle is no failure
            countFailure(b, UpstreamError.RESET);
        }
        if (response.started()) {
            b.requestFailed("closed the connection in the middle of a response");
            abort(b.id() + " closed the connection in the middle of the response");
            return;
        }
        response.discard(); // its head, if it came, never reached the client
        boolean reached = attempt.reached();
        boolean pooled = attempt.reused();
        if (pooled) {
            b.closeIdle(); // the worker closed one pooled connection: it may have closed (or lost) them all
        } else {
            b.eject("connection reset before answering");
        }
        attempt.end(false);
        if (!againOrFail(HttpResponseStatus.BAD_GATEWAY, b.id() + " closed the connection before answering", reached,
                pooled, body.complete())) {
            b.requestFailed("closed the connection before answering");
        }
    }

    @Override
    public void upstreamReadComplete() {
        if (state == State.SENDING || state == State.TUNNEL) {
            response.readComplete();
        }
    }

    @Override
    public void upstreamWritabilityChanged() {
        Channel upstream = upstream();
        if (upstream != null && upstream.isWritable() && state == State.SENDING && !body.complete()) {
            client.read();
        }
    }

    private void timedOut() {
        if (state == State.DONE || state == State.TUNNEL) {
            return;
        }
        Backend b = backend();
        countFailure(b, UpstreamError.TIMEOUT);
        b.requestFailed("no answer within response_timeout");
        if (response.started()) {
            abort(b.id() + " stopped sending its response for response_timeout");
            return;
        }
        attempt.end(false);
        fail(HttpResponseStatus.GATEWAY_TIMEOUT, "no answer from " + b.id() + " within response_timeout",
                body.complete());
    }

    /**
     * Tries the request again (on another worker, or the same one once it is back), unless the client left or the
     * tries ran out ({@link Tries}). {@code counted}: the last try reached a worker, which may have acted on it.
     */
    private void retryOrFail(HttpResponseStatus status, String why, boolean counted) {
        if (tries.another(counted) && frontend.active()) {
            program.counters().retried();
            program.log().info(program.name() + ": " + head.method() + " " + head.uri() + ": " + why
                    + "; trying again");
            start();
            return;
        }
        fail(status, why, body.complete());
    }

    /**
     * The worker was ejected for not answering at all (SIGSTOP, a deadlock): a request it has not started to
     * answer goes to another worker if that is safe (idempotent, its whole body held), rather than wait for
     * {@code response_timeout}. Any thread.
     */
    @Override
    public void workerStoppedAnswering() {
        client.executor().execute(() -> {
            if (state != State.SENDING || response.received() || !request.idempotent() || !body.replayable()
                    || !body.complete()) {
                return;
            }
            countFailure(backend(), UpstreamError.TIMEOUT);
            attempt.end(false);
            retryOrFail(HttpResponseStatus.GATEWAY_TIMEOUT, backend().id() + " stopped answering", true);
        });
    }

    /**
     * The client sent no byte of the body for {@code body_timeout} while Baton waited for one: 408 (or a close, if
     * the response started); the worker's connection closes before the request is complete there, freeing it.
     */
    void bodyTimedOut() {
        if (state == State.DONE || body.complete()) {
            return;
        }
        fail(HttpResponseStatus.REQUEST_TIMEOUT, "no request body bytes for body_timeout ("
                + settings.timeouts().body().toMillis() + " ms)", false);
    }

    /** The client shut its side: a body not whole by now never will be (400; the worker never gets its end). */
    void clientInputClosed() {
        if (state != State.DONE && !body.complete()) {
            fail(HttpResponseStatus.BAD_REQUEST, "the client closed its side before the end of the request body",
                    false);
        }
    }

    /** False once this answer must close the connection: the client asked, or the program stopped accepting. */
    private boolean keepAlive() {
        return request.keepAlive() && !frontend.closing();
    }

    /** Answers the client with an error (nothing was sent to it yet) and ends the exchange. */
    private void fail(HttpResponseStatus failure, String why, boolean canKeepAlive) {
        if (state == State.DONE) {
            return;
        }
        if (response.started()) {
            abort(why);
            return;
        }
        state = State.DONE;
        endAttempt(false);
        program.log().warn(program.name() + ": " + head.method() + " " + head.uri() + " -> " + failure.code()
                + ": " + why);
        boolean keepAlive = keepAlive() && canKeepAlive;
        body.release();
        response.own(failure == HttpResponseStatus.SERVICE_UNAVAILABLE
                ? Responses.unavailable(why, settings.timeouts().queue().toSeconds() / 10)
                : Responses.error(failure, why), !keepAlive);
        logAccess();
        frontend.exchangeDone(this, keepAlive);
    }

    private void finish() {
        state = State.DONE;
        backend().requestSucceeded();
        backend().answered(response.workerReusable());
        attempt.end(response.workerReusable() && requestSent);
        body.release();
        logAccess();
        // as the head said, even if the program stopped accepting since: the client may have sent its next request
        frontend.exchangeDone(this, announcedKeepAlive && !(request.http10() && response.closeDelimited()));
    }

    /** Something broke after response bytes reached the client: all Baton can do is close both connections. */
    void abort(String why) {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        countAnswer(response.started() ? response.status() : HttpResponseStatus.BAD_GATEWAY.code());
        program.log().warn(program.name() + ": " + head.method() + " " + head.uri() + " aborted"
                + (attempt == null ? "" : " on " + backend().id()) + ": " + why);
        endAttempt(false);
        body.release();
        client.close();
    }

    /** The client connection closed: whatever this exchange holds is let go. */
    void clientGone() {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        countAnswer(response.started() ? response.status() : ProgramTraffic.CLIENT_GONE);
        endAttempt(false);
        body.release();
    }

    /** The response head of a websocket request.upgrade() went out: the exchange no longer counts against max_inflight. */
    void upgraded() {
        response.switched();
        countAnswered();
        attempt.tunnelled();
        body.release();
        logAccess();
        program.tunnelled(client.channel());
    }

    /** Ends the current try, if any (the connection closes unless {@code reusable}). */
    private void endAttempt(boolean reusable) {
        if (attempt != null) {
            attempt.end(reusable);
        }
    }

    private void countWait() {
        if (!waitCounted) {
            waitCounted = true;
            program.counters().waited(System.nanoTime() - arrived);
        }
    }

    private void countAnswer(int status) {
        if (!answerCounted) {
            answerCounted = true;
            program.counters().answered(status, System.nanoTime() - arrived);
        }
    }

    /** The worker's answer is whole (or its 101 head arrived): counted on its backend with the try's duration. */
    private void countAnswered() {
        backend().counters().answered(response.status(), attempt.nanosSinceGrant());
    }

    /** A try failed: counted for the program by worker and cause, and on the backend ({@link TryCounters}). */
    private void countFailure(Backend b, UpstreamError reason) {
        program.counters().failed(b.id(), reason);
        b.counters().failed();
    }

    private void logAccess() {
        countAnswer(response.status());
        if (!response.firstLog()) {
            return;
        }
        program.accessLog(client.channel().remoteAddress(), head, response.status(), response.bytes(),
                attempt == null ? "-" : backend().id(), System.currentTimeMillis() - started);
    }
}
