package dev.baton.proxy.internal;

import dev.baton.proxy.Listener;
import dev.baton.proxy.ProxyLog;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.unix.DomainSocketAddress;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * A listening socket, bound as soon as it is created but accepting nothing (auto-read off: the kernel queues
 * connections in the backlog) until a program attaches it. Each accepted connection goes to the program it is
 * attached to at that moment, so a listener may pass from one program to another without closing. A unix socket's
 * file is removed when the listener closes, unless another socket has been bound at that path since.
 */
public final class BoundListener implements Listener {

    private final SocketAddress address;
    private final ProxyLog log;
    private Object fileKey;
    private Channel channel;
    private volatile ProgramProxy target;
    private boolean closed;

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
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel(address))
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 << 10, 64 << 10))
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ProgramProxy program = listener.target;
                        if (program == null) {
                            ch.close();
                        } else {
                            program.initClient(ch);
                        }
                    }
                });
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

    @Override
    public SocketAddress address() {
        return address;
    }

    @Override
    public String describe() {
        return Transport.describe(address);
    }

    /** {@code program} takes this listener: new connections go to it; it starts accepting if it was not. */
    synchronized void attach(ProgramProxy program) {
        ProgramProxy previous = target;
        target = program;
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

    /** {@code program} lets go of this listener: it closes, unless another program has taken it. */
    synchronized void release(ProgramProxy program) {
        if (target == program) {
            close();
        }
    }

    /** True while this listener accepts connections for {@code program}. */
    synchronized boolean servedBy(ProgramProxy program) {
        return target == program && !closed;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (target != null) {
            log.info(target.name() + ": stopped listening on " + describe());
        }
        Object key = fileKey;
        channel.close().addListener(f -> removeFile(key));
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
