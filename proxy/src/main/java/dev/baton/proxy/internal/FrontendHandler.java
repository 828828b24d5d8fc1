package dev.baton.proxy.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The client side of a connection: checks each request, rewrites its head for the worker and runs one
 * {@link Exchange} at a time. Auto-read is off: the handler reads the next request only when the previous
 * response is done, and request bodies only as fast as the worker takes them. Pipelined requests wait in
 * order, each with its body: when an exchange ends, the next request starts and the pieces of its body that
 * arrived with it go to its exchange.
 *
 * <p>The client's FIN: one that arrives with its request, within {@link #HALF_CLOSE_GRACE_MILLIS} of the last
 * request bytes (a client that sends and shuts down its side at once, {@code shutdown(SHUT_WR)}), is a half-close:
 * the connection stays open for the answers to every request received whole, then closes (one cut in the middle of
 * its body gets 400). A FIN that arrives later is a client that hung up (nginx's 499): the request in progress is
 * let go (it leaves the queue, or its worker connection closes and the worker's slot is free) and the connection
 * closes. TCP cannot tell the two apart; the time between request and FIN can.
 *
 * <p>Closing (the program stopped accepting, Baton stops or hands over to a new daemon): the answer in progress
 * carries {@code Connection: close} and the connection closes after it; if its head was already out saying
 * keep-alive, the client may reuse the connection at once, so it is kept and closes like an idle one. A
 * connection with no request in progress, idle keep-alive or accepted but not sent a whole request yet, gets
 * {@link #CLOSE_GRACE_MILLIS} for a request to arrive, which is answered (with {@code Connection: close}) before
 * it closes: a busy client's next request is often already on the wire, and closing under it would reset it.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {

    /** How long a connection with no request in progress, once closing, may take to send the first byte of one. */
    static final long CLOSE_GRACE_MILLIS = 1_000;

    /**
     * A FIN this soon after the last request bytes is a half-close (the client still reads); later, a hang-up. Far
     * above the microseconds between a client's send and its shutdown, even with Baton's event loop descheduled
     * on a loaded machine; below the seconds after which clients give up.
     */
    static final long HALF_CLOSE_GRACE_MILLIS = 500;

    private final ProgramProxy program;
    private final ArrayDeque<Object> pipelined = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private Exchange current;
    private boolean discarding;
    private boolean closing;
    /** Requests begun on this connection. */
    private long requests;
    private boolean arriving;
    private boolean inputClosed;
    private long lastBytesNanos = System.nanoTime();
    /** The response timeout of this connection's tries, one after the other ({@link ResponseTimer}). */
    private Deadline responseDeadline;

    FrontendHandler(ProgramProxy program, boolean closing) {
        this.program = program;
        this.closing = closing;
    }

    /**
     * The program stops accepting: close now if idle, else once the current response is done (it says
     * {@code Connection: close}); a connection with no whole request yet gets its first one answered.
     */
    void closeWhenIdle() {
        closing = true;
        if (ctx == null || current != null || !pipelined.isEmpty() || arriving) {
            return; // exchangeDone closes it; channelActive comes back here
        }
        long requestsBefore = requests;
        ctx.executor().schedule(() -> {
            if (current == null && !arriving && pipelined.isEmpty() && requests == requestsBefore) {
                ctx.close();
            }
        }, CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** True once the connection must close after the answer in progress. */
    boolean closing() {
        return closing;
    }

    Deadline responseDeadline() {
        return responseDeadline;
    }

    boolean active() {
        return ctx != null && ctx.channel().isActive();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        responseDeadline = new Deadline(ctx.executor());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        ctx.read();
        if (closing) {
            closeWhenIdle();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == RequestGuard.Event.HEAD_STARTED) {
            arriving = true;
        } else if (evt instanceof ChannelInputShutdownEvent) {
            inputShutdown();
        } else if (evt == ClientTimeouts.Event.BODY_TIMEOUT) {
            bodyTimedOut();
        }
        super.userEventTriggered(ctx, evt);
    }

    /** The client's FIN: a half-close soon after its request, a hang-up later (see the class comment). */
    private void inputShutdown() {
        if (System.nanoTime() - lastBytesNanos > TimeUnit.MILLISECONDS.toNanos(HALF_CLOSE_GRACE_MILLIS)) {
            ctx.close(); // the client hung up; channelInactive lets go of its request
            return;
        }
        inputClosed = true; // every whole request has been read by now (the decoders flush first)
        arriving = false;
        if (current == null && pipelined.isEmpty()) {
            ctx.close();
        }
        bodyCut();
    }

    /** After the client's FIN, the request in progress gets no more body: if it is not whole, it never will be. */
    private void bodyCut() {
        if (inputClosed && current != null && pipelined.isEmpty()) {
            current.clientInputClosed();
        }
    }

    /** The client sent no byte of a request body for {@code body_timeout} while Baton waited for one. */
    private void bodyTimedOut() {
        if (current != null) {
            current.bodyTimedOut();
        } else {
            ctx.close(); // the body of a request already answered (or refused): nobody waits for it
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        this.ctx = ctx;
        lastBytesNanos = System.nanoTime(); // a FIN soon after is a half-close
        if (current != null && (msg instanceof HttpRequest || !pipelined.isEmpty())) {
            pipelined.add(msg);
            return;
        }
        handle(msg);
    }

    private void handle(Object msg) {
        if (msg instanceof HttpRequest request) {
            begin(request);
        }
        if (msg instanceof HttpContent content) {
            if (current != null && !discarding) {
                current.clientContent(content);
                if (msg instanceof LastHttpContent && current != null) {
                    readAhead();
                }
            } else if (content.decoderResult().isFailure()) {
                content.release();
                ctx.close(); // the unread rest of an answered request's body is malformed: the stream is lost
            } else {
                content.release();
                if (current == null && !discarding && !(msg instanceof HttpRequest)) {
                    ctx.read();
                }
            }
        } else if (!(msg instanceof HttpRequest)) {
            ReferenceCountUtil.release(msg);
        }
    }

    private void begin(HttpRequest request) {
        discarding = false;
        arriving = false;
        requests++;
        if (!ctx.channel().isActive()) {
            discarding = true; // the decoder's note about a connection that closed mid-request: nobody to answer
            return;
        }
        Optional<HttpResponseStatus> decoderFailure = RequestChecks.decoderFailure(request.decoderResult());
        if (decoderFailure.isPresent()) {
            Throwable cause = request.decoderResult().cause();
            if (cause instanceof PrematureChannelClosureException) {
                discarding = true; // the client shut its side in the middle of a head: nothing to answer
                ctx.close();
            } else if (cause instanceof RequestGuard.Rejected rejected) {
                reject(decoderFailure.get(), rejected.getMessage());
            } else {
                reject(decoderFailure.get(), "malformed request: " + Errors.describe(cause));
            }
            return;
        }
        long maxBody = program.settings().limits().maxBodySize();
        if (maxBody > 0 && HttpUtil.getContentLength(request, -1L) > maxBody) {
            reject(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "body larger than max_body_size");
            return;
        }
        ClientRequest received = ClientRequest.of(request);
        current = new Exchange(program, ctx, this, received.forwarding(forwardHead(request, received.upgrade())));
        current.start();
    }

    /**
     * The whole request is in; its answer is not out yet: reading goes on, so that the socket stays registered for
     * reading (turning that off after every request and on again after its answer is two system calls per
     * request). What comes meanwhile, the client's next request or its FIN, waits in {@link #pipelined} as any
     * pipelined request does; one read's worth at most, as nothing asks for more until the exchange ends.
     */
    private void readAhead() {
        ctx.read();
    }

    /**
     * The request as the worker gets it: HTTP/1.1, its target in origin-form (an absolute-form target's host becomes
     * Host), hop-by-hop headers gone, X-Forwarded-* set. It takes over the request's headers, changed in place (not
     * copied): read what the request said of itself ({@link ClientRequest#of}) before.
     */
    private HttpRequest forwardHead(HttpRequest request, boolean upgrade) {
        RequestTarget target = RequestTarget.of(request.uri());
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), target.forward(),
                request.headers());
        target.authority().ifPresent(host -> head.headers().set(HttpHeaderNames.HOST, host));
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        if (upgrade) {
            HopByHop.stripForUpgrade(head.headers());
        } else {
            HopByHop.strip(head.headers());
        }
        head.headers().remove(HttpHeaderNames.EXPECT);
        if (chunked) {
            head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        Forwarding.apply(head.headers(), ctx.channel().remoteAddress(), "http", program.trustedProxies());
        return head;
    }

    /** Answers a request that never reaches a worker; the connection closes (the stream cannot be trusted). */
    private void reject(HttpResponseStatus status, String why) {
        discarding = true;
        program.log().warn(program.name() + ": " + Transport.describe(ctx.channel().remoteAddress()) + ": "
                + status.code() + " " + why);
        program.counters().rejected(status.code());
        Responses.send(ctx, Responses.error(status, why), true);
    }

    /** The exchange ended; the next request may start (or the connection closes). */
    void exchangeDone(Exchange done, boolean keepAlive) {
        if (done != current) {
            return;
        }
        current = null;
        if (!keepAlive) { // the answer said close (the client asked, or the program had stopped accepting)
            pipelined.forEach(ReferenceCountUtil::release);
            pipelined.clear();
            closeOnceFlushed();
            return;
        }
        // the next request starts; the pieces of its body that came with it go to its exchange
        while (!pipelined.isEmpty() && (current == null || !(pipelined.peek() instanceof HttpRequest))) {
            handle(pipelined.poll());
        }
        bodyCut();
        if (current == null && pipelined.isEmpty()) {
            if (inputClosed) {
                closeOnceFlushed(); // every request the client sent before its FIN is answered
            } else {
                ctx.read();
                if (closing) { // the answer promised keep-alive: the next request is answered, then it closes
                    closeWhenIdle();
                }
            }
        }
    }

    private void closeOnceFlushed() {
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (current != null) {
            current.clientGone();
            current = null;
        }
        responseDeadline.close();
        pipelined.forEach(ReferenceCountUtil::release);
        pipelined.clear();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
