package dev.baton.supervisor.daemon;

import dev.baton.supervisor.Log;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * systemd's readiness protocol ({@code sd_notify(3)}): one datagram to the unix socket {@code $NOTIFY_SOCKET}.
 * {@code baton.service} is {@code Type=notify} with {@code NotifyAccess=all}: Baton says {@code READY=1} once it
 * serves, and a daemon that took over ({@code baton upgrade}) says {@code MAINPID=} so that systemd follows it when
 * the old one exits. Without {@code $NOTIFY_SOCKET} (not under systemd) nothing is sent.
 */
final class SystemdNotify {

    private SystemdNotify() {
    }

    /** Sends {@code message} when run by systemd; a failure is logged, never thrown. Blocks briefly. */
    static void send(String message) {
        String socket = System.getenv("NOTIFY_SOCKET");
        if (socket != null && !socket.isEmpty()) {
            send(socket, message);
        }
    }

    /** Sends {@code message} to {@code socket} (a path, or {@code @name} in the abstract namespace). */
    static void send(String socket, String message) {
        String path = socket.startsWith("@") ? "\0" + socket.substring(1) : socket;
        EpollEventLoopGroup group = new EpollEventLoopGroup(1, new DefaultThreadFactory("baton-notify", true));
        try {
            Channel channel = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                    .handler(new ChannelInboundHandlerAdapter()).connect(new DomainSocketAddress(path)).sync()
                    .channel();
            channel.writeAndFlush(Unpooled.copiedBuffer(message, StandardCharsets.UTF_8)).sync();
            channel.close().sync();
        } catch (Exception e) { // sync() rethrows the write's checked failure undeclared
            Log.warn("cannot notify systemd at " + socket + " (" + message.replace('\n', ' ') + "): "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
