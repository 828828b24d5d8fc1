package dev.baton.proxy.internal;

import dev.baton.proxy.Listener;
import dev.baton.proxy.ProxyLog;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.DomainSocketAddress;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/**
 * A listening socket, bound as soon as it is created but accepting nothing (auto-read off: the kernel queues
 * connections in the backlog) until a program attaches it. Each accepted connection goes to the program it is
 * attached to at that moment, so a listener may pass from one program to another without closing. A unix socket's
 * file is removed when the listener closes, unless another socket has been bound at that path since.
 *
 * <p>Closing accepts first, in the same event loop task, every connection the kernel has queued (completed
 * handshakes not yet accepted): closing a listening socket resets those, so without this a client could see its
 * request dropped even though the kernel had accepted its connection. Only a connection whose handshake completes
 * in the microseconds between that last accept and the close is still reset.
 */
public final class BoundListener implements Listener {

    /** A connection's channel buffers: the same as those of the connections the server accepts itself. */
    private static final WriteBufferWaterMark CLIENT_BUFFERS = new WriteBufferWaterMark(32 << 10, 64 << 10);

    private final SocketAddress address;
    private final ProxyLog log;
    private Object fileKey;
    private Channel channel;
    private volatile ProgramProxy target;
    private boolean closed;
    /** Adopted from another process ({@link #adopt}) and not served here yet: closing gives it back untouched. */
    private boolean borrowed;
    private final CompletableFuture<Void> gone = new CompletableFuture<>();

    private BoundListener(SocketAddress address, ProxyLog log) {
        this.address = address;
        this.log = log;
    }

    /**
     * Binds {@code address}; blocks until bound, so never call it on an event loop.
     *
     * @throws IOException with a one-line reason: {@code cannot listen on 127.0.0.1:8000: address already in use}
     */
    public static BoundListener bind(SocketAddress address, Transport transport, EventLoopGroup group, ProxyLog log)
            throws IOException {
        Path unix = address instanceof DomainSocketAddress d ? Path.of(d.path()) : null;
        if (unix != null) {
            Files.deleteIfExists(unix);
        }
        BoundListener listener = new BoundListener(address, log);
        ServerBootstrap bootstrap = listener.bootstrap(group).channel(transport.serverChannel(address));
        if (unix == null) {
            bootstrap.option(ChannelOption.SO_REUSEADDR, true);
        }
        try {
            Channel channel = bootstrap.bind(address).sync().channel();
            synchronized (listener) {
                listener.channel = channel;
                listener.fileKey = unix == null ? null : fileKey(unix);
            }
            return listener;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding " + Transport.describe(address));
        } catch (Exception e) {
            throw new IOException("cannot listen on " + Transport.describe(address) + ": " + Errors.describe(e));
        }
    }

    /**
     * Adopts a listening socket bound by another process and handed over as file descriptor {@code fd} (it must
     * be listening on {@code address}); like {@link #bind}, it accepts nothing until a program attaches it. Epoll
     * transport only. Blocks until registered, so never call it on an event loop.
     *
     * @throws IOException with a one-line reason when {@code fd} is not a listening socket on {@code address}
     */
    public static BoundListener adopt(SocketAddress address, int fd, EventLoopGroup group, ProxyLog log)
            throws IOException {
        Path unix = address instanceof DomainSocketAddress d ? Path.of(d.path()) : null;
        BoundListener listener = new BoundListener(address, log);
        ServerBootstrap bootstrap = listener.bootstrap(group).channelFactory(() -> unix == null
                ? new EpollServerSocketChannel(fd) : new EpollServerDomainSocketChannel(fd));
        try {
            Channel channel = bootstrap.register().sync().channel();
            SocketAddress local = channel.localAddress();
            if (unix == null && !address.equals(local)) {
                channel.close();
                throw new IOException("cannot adopt " + Transport.describe(address) + ": socket " + fd
                        + " listens on " + Transport.describe(local));
            }
            synchronized (listener) {
                listener.channel = channel;
                listener.fileKey = unix == null ? null : fileKey(unix);
                listener.borrowed = true;
            }
            return listener;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while adopting " + Transport.describe(address));
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot adopt " + Transport.describe(address) + ": " + Errors.describe(e));
        }
    }

    /** The server bootstrap of both {@link #bind} and {@link #adopt}: accepting nothing until attached. */
    private ServerBootstrap bootstrap(EventLoopGroup group) {
        return new ServerBootstrap()
                .group(group)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true) // a client's FIN after its request: answer it
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, CLIENT_BUFFERS)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ProgramProxy program = target;
                        if (program == null) {
                            ch.close();
                        } else {
                            program.initClient(ch);
                        }
                    }
                });
    }

    @Override
    public SocketAddress address() {
        return address;
    }

    @Override
    public synchronized OptionalInt fd() {
        if (channel instanceof EpollServerSocketChannel tcp) {
            return OptionalInt.of(tcp.fd().intValue());
        }
        if (channel instanceof EpollServerDomainSocketChannel unix) {
            return OptionalInt.of(unix.fd().intValue());
        }
        return OptionalInt.empty();
    }

    @Override
    public synchronized void handedOver() {
        if (closed) {
            return;
        }
        closed = true;
        ProgramProxy program = target;
        if (program != null) {
            log.info(program.name() + ": stopped listening on " + describe() + " (handed over)");
        }
        Channel server = channel;
        server.eventLoop().execute(() -> {
            server.config().setAutoRead(false); // the queue is the new owner's
            // not closed: Netty's close of a unix listener removes its file, which is the new owner's now; the
            // descriptor stays open, unused, until this process exits (it is about to)
            server.deregister().addListener(f -> gone.complete(null));
        });
    }

    @Override
    public String describe() {
        return Transport.describe(address);
    }

    /** {@code program} takes this listener: new connections go to it; it starts accepting if it was not. */
    synchronized void attach(ProgramProxy program) {
        ProgramProxy previous = target;
        target = program;
        borrowed = false;
        if (closed || previous == program) {
            return;
        }
        if (previous == null) {
            channel.config().setAutoRead(true);
            log.info(program.name() + ": listening on " + describe());
        } else {
            log.info(program.name() + ": listening on " + describe() + " (taken over from " + previous.name() + ")");
        }
    }

    /**
     * {@code program} lets go of this listener: it closes, unless another program has taken it. Completes once
     * nothing more can reach {@code program} through it (closed, its queue drained; at once if not its own).
     */
    synchronized CompletableFuture<Void> release(ProgramProxy program) {
        if (target != program) {
            return CompletableFuture.completedFuture(null);
        }
        close();
        return gone;
    }

    /** True while this listener accepts connections for {@code program}. */
    synchronized boolean servedBy(ProgramProxy program) {
        return target == program && !closed;
    }

    @Override
    public synchronized void close() {
        if (borrowed) {
            handedOver(); // never served here: the socket, its queue and its file stay the other process's
            return;
        }
        if (closed) {
            return;
        }
        closed = true;
        ProgramProxy program = target;
        if (program != null) {
            log.info(program.name() + ": stopped listening on " + describe());
        }
        Object key = fileKey;
        Channel server = channel;
        server.eventLoop().execute(() -> {
            if (program != null) {
                drainAcceptQueue(server, program);
            }
            server.close().addListener(f -> {
                removeFile(key);
                gone.complete(null);
            });
        });
    }

    /**
     * Accepts every connection the kernel queued on {@code server} since its last accept and hands each to
     * {@code program}, as the server's own accept would. The listener's event loop; epoll transport only.
     */
    private static void drainAcceptQueue(Channel server, ProgramProxy program) {
        Socket socket;
        if (server instanceof EpollServerSocketChannel tcp && tcp.isOpen()) {
            socket = (Socket) tcp.fd();
        } else if (server instanceof EpollServerDomainSocketChannel unix && unix.isOpen()) {
            socket = (Socket) unix.fd();
        } else {
            return;
        }
        byte[] remote = new byte[26];
        while (true) {
            int fd;
            try {
                fd = socket.accept(remote);
            } catch (IOException e) {
                return;
            }
            if (fd < 0) {
                return; // EAGAIN: nothing left in the queue
            }
            Channel child = server instanceof EpollServerDomainSocketChannel ? new EpollDomainSocketChannel(fd)
                    : new EpollSocketChannel(fd);
            child.config().setAutoRead(false);
            child.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true); // as the server's own children
            child.config().setWriteBufferWaterMark(CLIENT_BUFFERS);
            program.initClient(child);
            server.eventLoop().parent().next().register(child);
        }
    }

    private void removeFile(Object key) {
        if (address instanceof DomainSocketAddress d) {
            Path file = Path.of(d.path());
            try {
                if (Objects.equals(fileKey(file), key)) {
                    Files.deleteIfExists(file);
                }
            } catch (IOException ignored) {
                // gone already, or not ours to remove
            }
        }
    }

    private static Object fileKey(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }
}
