package dev.baton.proxy.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpExpectationFailedEvent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ByteProcessor;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Inbound guard installed immediately before {@link RequestChecks#serverCodec(int)} (same {@code maxHeaderSize}):
 * refuses request heads that the codec would accept but a proxy must not forward, before the codec sees them.
 *
 * <p><b>Why.</b> Netty 4.1.137 has no option to refuse obs-fold: its decoder joins a continuation line to the
 * previous value with a space. RFC 9112 section 5.2 lets a server do that, but a front proxy that split the lines
 * differently would disagree with us about the header set, so the guard answers 400 instead (section 5.2's other
 * choice). It also catches bare CR, bare LF, NUL and whitespace before the first header (section 2.2), most of
 * which the codec refuses by itself, and control characters in the request line. Then, on the framed head, it
 * refuses any version but HTTP/1.x with 505 ({@link RequestChecks#version}), CONNECT with 405, and runs
 * {@link RequestChecks#smuggling}, {@link RequestChecks#host} and {@link RequestTarget#problem} (400): for
 * "Transfer-Encoding: xchunked" the codec treats the request as bodiless and decodes its body as the next
 * request, and a check made after the codec would come too late to stop that.
 *
 * <p><b>How.</b> The guard is itself an {@link HttpRequestDecoder} with the codec's exact configuration, used only
 * to find message boundaries; what it passes on is raw bytes. Each call of the decoder's {@code decode} consumes
 * bytes of one message only (it returns as soon as a message ends). The guard scans the consumed bytes of a head
 * with a {@link HeadScanner} and hands them to the codec only when they are clean, so the codec frames exactly
 * the bytes the guard framed. A rejected head never reaches the codec: the guard passes a {@link FullHttpRequest}
 * whose {@code DecoderResult} fails with {@link Rejected} instead, which the handler after the codec treats like
 * any decoder failure (400, close), and discards all later input. When the guard's own decoder fails, the guard
 * passes every byte on unscanned: the codec, fed the same bytes with the same configuration, fails the same way
 * and reports the precise cause (431, 414 or 400).
 *
 * <p><b>Events.</b> Fires {@link Event#HEAD_STARTED} when the first byte of a request head arrives (CR and LF
 * between requests do not count), after the previous message was passed on; {@link ClientTimeouts} needs it.
 *
 * <p><b>Limits.</b> Heads and chunk-size lines are parsed twice. Trailer sections are not scanned (the codec unfolds
 * obs-fold there and drops framing fields). Remove the guard together with the codec when switching protocols.
 */
public final class RequestGuard extends HttpRequestDecoder {

    /** User events fired down the pipeline. */
    public enum Event { HEAD_STARTED }

    /**
     * Cause of the failed {@code DecoderResult} of a request the guard refused; the message is the reason, the
     * status is the answer (400, or 505 for a version other than HTTP/1.x).
     */
    public static final class Rejected extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient HttpResponseStatus status;

        Rejected(HttpResponseStatus status, String reason) {
            super(reason, null, false, false);
            this.status = status;
        }

        public HttpResponseStatus status() {
            return status;
        }
    }

    private enum State { HEAD, BODY, PASS, REJECTED }

    private static final ByteProcessor SKIPPED = HeadScanner::skippedBeforeRequestLine;

    private final HeadScanner scanner = new HeadScanner();
    private final List<Object> framed = new ArrayList<>(4);
    private State state = State.HEAD;
    private boolean announced;

    public RequestGuard(int maxHeaderSize) {
        super(RequestChecks.decoderConfig(maxHeaderSize));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (state == State.REJECTED) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (state == State.PASS) {
            out.add(in.readRetainedSlice(in.readableBytes()));
            return;
        }
        announce(ctx, in);
        int start = in.readerIndex();
        Rejected reason;
        try {
            super.decode(ctx, in, framed);
            reason = inspect(in, start);
        } finally {
            framed.forEach(ReferenceCountUtil::release);
            framed.clear();
        }
        if (reason != null) {
            state = State.REJECTED;
            in.skipBytes(in.readableBytes());
            out.add(rejection(reason));
        } else if (in.readerIndex() > start) {
            out.add(in.retainedSlice(start, in.readerIndex() - start));
        }
    }

    /**
     * Fires HEAD_STARTED once per head. Called before decoding, so whatever earlier calls produced has already gone
     * down the pipeline: the event for the next head never overtakes the previous request.
     */
    private void announce(ChannelHandlerContext ctx, ByteBuf in) {
        if (state == State.HEAD && !announced && in.forEachByte(SKIPPED) >= 0) {
            announced = true;
            ctx.fireUserEventTriggered(Event.HEAD_STARTED);
        }
    }

    private Rejected inspect(ByteBuf in, int start) {
        String bad = state == State.HEAD ? scanner.scan(in, start, in.readerIndex()) : null;
        Rejected reason = bad == null ? null : new Rejected(HttpResponseStatus.BAD_REQUEST, bad);
        for (int i = 0; i < framed.size() && reason == null; i++) {
            reason = onFramed(framed.get(i));
        }
        return reason;
    }

    private Rejected onFramed(Object msg) {
        if (msg instanceof HttpRequest request) {
            if (request.decoderResult().isFailure()) {
                state = State.PASS;
                return null;
            }
            Optional<String> version = RequestChecks.version(request.protocolVersion());
            if (version.isPresent()) {
                return new Rejected(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, version.get());
            }
            if (request.method().equals(HttpMethod.CONNECT)) {
                return new Rejected(HttpResponseStatus.METHOD_NOT_ALLOWED, "CONNECT is not served (a reverse proxy)");
            }
            Optional<String> bad = RequestChecks.smuggling(request).or(() -> RequestChecks.host(request))
                    .or(() -> RequestTarget.problem(request.method(), request.uri()));
            if (bad.isPresent()) {
                return new Rejected(HttpResponseStatus.BAD_REQUEST, bad.get());
            }
            state = State.BODY;
        }
        if (msg instanceof HttpContent content && content.decoderResult().isFailure()) {
            state = State.PASS;
        } else if (msg instanceof LastHttpContent && state == State.BODY) {
            nextHead();
        }
        return null;
    }

    private void nextHead() {
        state = State.HEAD;
        scanner.reset();
        announced = false;
    }

    private static FullHttpRequest rejection(Rejected reason) {
        FullHttpRequest request =
                new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bad-request", Unpooled.EMPTY_BUFFER);
        request.setDecoderResult(DecoderResult.failure(reason));
        return request;
    }

    /** At end of input, hands what is left to the codec so it reports the truncated message itself. */
    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (state != State.REJECTED && in.isReadable()) {
            out.add(in.readRetainedSlice(in.readableBytes()));
        } else {
            in.skipBytes(in.readableBytes());
        }
    }

    /** An aggregator that refuses "Expect: 100-continue" resets both decoders: the next bytes start a new head. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof HttpExpectationFailedEvent && state == State.BODY) {
            nextHead();
        }
        super.userEventTriggered(ctx, evt);
    }
}
