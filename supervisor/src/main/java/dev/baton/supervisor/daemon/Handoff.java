package dev.baton.supervisor.daemon;

import dev.baton.proxy.Listener;
import dev.baton.supervisor.control.Json;
import dev.baton.supervisor.control.ReloadStep;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketReadMode;
import io.netty.channel.unix.FileDescriptor;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The unix socket over which a running daemon hands its listening sockets to the daemon that replaces it
 * ({@code baton upgrade}). Lockstep, one connection, JSON lines and file descriptors (SCM_RIGHTS):
 * <ol>
 *   <li>the old daemon ({@link #offer}) writes an {@link Offer}: the addresses it listens on;</li>
 *   <li>the new daemon ({@link #take}) switches its end to reading file descriptors and writes {@link Send};</li>
 *   <li>the old daemon writes one descriptor per offered address, in the offer's order;</li>
 *   <li>then the new daemon writes the steps of its start as they happen ({@link ReloadStep}, as a reload's), and
 *       last, once, its {@link Report}: serving ({@code READY}), or given up ({@code FAILED}, why, and the failing
 *       worker's last lines). A connection that ends without a report is a failure too (the new daemon died).</li>
 * </ol>
 * The descriptors are only sent once the receiver reads them as such: a descriptor that arrives while bytes are
 * read is lost. Epoll transport only (Linux), as unix sockets are.
 */
public final class Handoff implements Closeable {

    /** Old to new: the addresses offered, described as {@code Listener.describe()} does. */
    public record Offer(List<String> listen) {
    }

    /** New to old: ready to read the descriptors. */
    public record Send() {
    }

    /**
     * New to old, once: how the new daemon's start ended. {@code worker} is the worker that failed ({@code web:0}),
     * or empty; {@code lines} its last output lines, or the errors of an invalid configuration file.
     */
    public record Report(Result result, long pid, String reason, String worker, List<String> lines) {

        /** Serving, or given up. */
        public enum Result { READY, FAILED }

        public static Report ready(long pid) {
            return new Report(Result.READY, pid, "", "", List.of());
        }

        public static Report failed(long pid, String reason, String worker, List<String> lines) {
            return new Report(Result.FAILED, pid, reason, worker, lines);
        }
    }

    /** Old side: what the new daemon says on the handoff connection; on the handoff's own thread. */
    public interface Watcher {
        /** The new daemon connected. */
        default void connected() {
        }

        /** A step of the new daemon's start. */
        void step(ReloadStep step);

        /** How the new daemon's start ended; once per connection. */
        void report(Report report);
    }

    /** New side: the descriptors taken, and the connection to report on. */
    public static final class Taken implements Closeable {
        private final EpollEventLoopGroup group;
        private final Channel channel;
        private final Map<String, Integer> fds;

        private Taken(EpollEventLoopGroup group, Channel channel, Map<String, Integer> fds) {
            this.group = group;
            this.channel = channel;
            this.fds = Map.copyOf(fds);
        }

        /** The descriptors keyed by description ({@code 127.0.0.1:8000}); the caller owns them. */
        public Map<String, Integer> fds() {
            return fds;
        }

        /** Tells the old daemon a step of the start; never blocks, any thread. Lost if the connection is. */
        public void step(ReloadStep step) {
            channel.writeAndFlush(Unpooled.copiedBuffer(Json.write(step) + "\n", StandardCharsets.UTF_8));
        }

        /** Tells the old daemon how the start ended; blocks until written. Never on an event loop. */
        public void report(Report report) throws IOException {
            io.netty.channel.ChannelFuture written = channel.writeAndFlush(
                    Unpooled.copiedBuffer(Json.write(report) + "\n", StandardCharsets.UTF_8)).awaitUninterruptibly();
            if (!written.isSuccess()) {
                throw new IOException("cannot report to the running daemon: " + describe(written.cause()));
            }
        }


        @Override
        public void close() {
            channel.close().awaitUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private final EpollEventLoopGroup group;
    private final Channel channel;

    private Handoff(EpollEventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    private static EpollEventLoopGroup newGroup() {
        return new EpollEventLoopGroup(1, new DefaultThreadFactory("baton-handoff", true));
    }

    /**
     * Old side: serves {@code listeners} at {@code path} (mode 0600) to the daemon that connects, and tells
     * {@code watcher} what it says. Never on an event loop.
     */
    public static Handoff offer(Path path, List<Listener> listeners, Watcher watcher) throws IOException {
        Files.deleteIfExists(path);
        Offer offer = new Offer(listeners.stream().map(Listener::describe).toList());
        EpollEventLoopGroup g = newGroup();
        try {
            Channel server = new ServerBootstrap().group(g).channel(EpollServerDomainSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new LineBasedFrameDecoder(64 * 1024), new Giver(offer, listeners, watcher));
                        }
                    })
                    .bind(new DomainSocketAddress(path.toString())).sync().channel();
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            return new Handoff(g, server);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            g.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IOException("interrupted while opening " + path);
        } catch (IOException | RuntimeException e) {
            g.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IOException("cannot open the handoff socket " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * New side: takes the listening sockets offered at {@code path}, as descriptors keyed by their description
     * ({@code 127.0.0.1:8000}). The caller owns the descriptors (adopt them, or close them). Never on an event loop.
     *
     * @throws IOException with a one-line reason when the old daemon cannot be reached or breaks the protocol
     */
    public static Taken take(Path path, long timeoutMillis) throws IOException {
        EpollEventLoopGroup g = newGroup();
        CompletableFuture<Map<String, Integer>> taken = new CompletableFuture<>();
        try {
            Channel ch = new Bootstrap().group(g).channel(EpollDomainSocketChannel.class)
                    .option(EpollChannelOption.DOMAIN_SOCKET_READ_MODE, DomainSocketReadMode.BYTES)
                    // level-triggered: Netty reads one descriptor per edge-triggered wake-up and the next ones,
                    // already queued, would wait for an edge that never comes
                    .option(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel c) {
                            c.pipeline().addLast(new LineBasedFrameDecoder(64 * 1024), new Taker(taken));
                        }
                    })
                    .connect(new DomainSocketAddress(path.toString())).sync().channel();
            try {
                Taken result = new Taken(g, ch, taken.get(timeoutMillis, TimeUnit.MILLISECONDS));
                g = null; // the Taken owns the group and the connection now
                return result;
            } finally {
                if (g != null) {
                    ch.close();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while taking the listening sockets from " + path);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("cannot take the listening sockets from " + path + ": "
                    + e.getCause().getMessage());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException("the running daemon did not hand over its listening sockets within "
                    + timeoutMillis + " ms (" + path + ")");
        } catch (Exception e) { // connect's failure comes as a checked exception sync() does not declare
            throw new IOException("cannot reach the running daemon at " + path + ": " + describe(e));
        } finally {
            if (g != null) {
                g.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
        }
    }

    private static String describe(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Stops offering (the socket file stays until the next offer replaces it). */
    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private static void writeLine(ChannelHandlerContext ctx, Record message) {
        ctx.writeAndFlush(Unpooled.copiedBuffer(Json.write(message) + "\n", StandardCharsets.UTF_8));
    }

    /** Old side of one connection: the offer, then the descriptors once asked. */
    private static final class Giver extends ChannelInboundHandlerAdapter {
        private final Offer offer;
        private final List<Listener> listeners;
        private final Watcher watcher;
        private boolean sent;
        private boolean reported;

        Giver(Offer offer, List<Listener> listeners, Watcher watcher) {
            this.offer = offer;
            this.listeners = listeners;
            this.watcher = watcher;
        }

        private void report(Report report) {
            if (!reported) {
                reported = true;
                watcher.report(report);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            report(Report.failed(0, "the new daemon closed the handoff before it was ready", "", List.of()));
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            watcher.connected();
            writeLine(ctx, offer);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            String line = ((ByteBuf) msg).toString(StandardCharsets.UTF_8);
            ((ByteBuf) msg).release();
            if (sent) {
                Object parsed = Json.parse(line);
                if (parsed instanceof Map<?, ?> m && m.containsKey("result")) {
                    report(Json.as(parsed, Report.class));
                } else if (!reported) {
                    watcher.step(Json.as(parsed, ReloadStep.class));
                }
                return;
            }
            Json.read(line, Send.class);
            sent = true;
            for (Listener l : listeners) {
                ctx.write(new FileDescriptor(l.fd().orElseThrow()));
            }
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** New side: reads the offer, switches to descriptors, asks, collects one per address. */
    private static final class Taker extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Map<String, Integer>> taken;
        private final Map<String, Integer> fds = new LinkedHashMap<>();
        private List<String> offered = new ArrayList<>();

        Taker(CompletableFuture<Map<String, Integer>> taken) {
            this.taken = taken;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FileDescriptor fd) {
                fds.put(offered.get(fds.size()), fd.intValue());
                if (fds.size() == offered.size()) {
                    ctx.channel().config().setOption(EpollChannelOption.DOMAIN_SOCKET_READ_MODE,
                            DomainSocketReadMode.BYTES);
                    taken.complete(fds);
                }
                return;
            }
            String line = ((ByteBuf) msg).toString(StandardCharsets.UTF_8);
            ((ByteBuf) msg).release();
            offered = List.copyOf(Json.read(line, Offer.class).listen());
            if (!offered.isEmpty()) {
                ctx.channel().config().setOption(EpollChannelOption.DOMAIN_SOCKET_READ_MODE,
                        DomainSocketReadMode.FILE_DESCRIPTORS);
            }
            writeLine(ctx, new Send()); // also for none: the old side then reads the report that follows
            if (offered.isEmpty()) {
                taken.complete(fds);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            taken.completeExceptionally(new IOException("the running daemon closed the handoff after "
                    + fds.size() + " of " + offered.size() + " sockets"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            taken.completeExceptionally(cause);
            ctx.close();
        }
    }
}
