package dev.baton.proxy.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Test fixture: an EmbeddedChannel with guard, codec, optional extra handlers, and a stand-in for the proxy core
 * that answers decoder failures and smuggling as the core is meant to (status from RequestChecks, close).
 */
final class Wire {

    static final int MAX_HEADER = 1024;

    final EmbeddedChannel channel;
    final List<HttpObject> received = new ArrayList<>();
    final List<Object> events = new ArrayList<>();
    final StringBuilder bodies = new StringBuilder();

    Wire(boolean guard, ChannelHandler... extra) {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        if (guard) {
            channel.pipeline().addLast(new RequestGuard(MAX_HEADER));
        }
        channel.pipeline().addLast(RequestChecks.serverCodec(MAX_HEADER));
        channel.pipeline().addLast(extra);
        channel.pipeline().addLast(new CoreStandIn());
    }

    Wire() {
        this(true);
    }

    Wire feed(String raw) {
        channel.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
        return this;
    }

    Wire feedByteByByte(String raw) {
        for (int i = 0; i < raw.length() && channel.isOpen(); i++) {
            feed(raw.substring(i, i + 1));
        }
        return this;
    }

    List<HttpRequest> requests() {
        return received.stream().filter(o -> o instanceof HttpRequest).map(o -> (HttpRequest) o).toList();
    }

    /** Moves the channel's frozen clock and runs the timers that became due. */
    Wire advance(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        return this;
    }

    /** The trailer fields of each LastHttpContent, as "Name: value" lines. */
    List<String> trailers() {
        return received.stream().filter(o -> o instanceof LastHttpContent)
                .map(o -> ((LastHttpContent) o).trailingHeaders().entries().stream()
                        .map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining("\n")))
                .toList();
    }

    /** Everything written to the client so far, as text. */
    String output() {
        StringBuilder b = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            b.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return b.toString();
    }

    /** Objects are kept for assertions; their buffers are released right away. */
    private final class CoreStandIn extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpObject o) {
                received.add(o);
            }
            if (msg instanceof HttpContent c) {
                bodies.append(c.content().toString(StandardCharsets.ISO_8859_1));
            }
            if (msg instanceof HttpRequest request) {
                Optional<HttpResponseStatus> status = RequestChecks.decoderFailure(request.decoderResult());
                Optional<String> smuggled = status.isPresent() ? Optional.empty() : RequestChecks.smuggling(request);
                if (status.isPresent() || smuggled.isPresent()) {
                    String detail = status.isPresent() ? request.decoderResult().cause().getMessage() : smuggled.get();
                    Responses.send(ctx, Responses.error(status.orElse(HttpResponseStatus.BAD_REQUEST), detail), true);
                }
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            events.add(evt);
        }
    }
}
