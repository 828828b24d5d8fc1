package dev.baton.proxy.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Native epoll where available (it is the only transport with unix sockets in Netty 4.1), NIO otherwise
 * (TCP only).
 */
public final class Transport {

    private final boolean epoll = Epoll.isAvailable();

    public EventLoopGroup group(int threads, String name) {
        DefaultThreadFactory factory = new DefaultThreadFactory(name, true);
        return epoll ? new EpollEventLoopGroup(threads, factory) : new NioEventLoopGroup(threads, factory);
    }

    public Class<? extends ServerChannel> serverChannel(SocketAddress address) {
        if (address instanceof DomainSocketAddress) {
            requireEpoll(address);
            return EpollServerDomainSocketChannel.class;
        }
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /**
     * Makes connections to {@code address}: over epoll, a TCP socket of the address's own family (an IPv4 socket for
     * an IPv4 worker, where Netty's default is a dual-stack IPv6 socket: two system calls more per connection, which
     * a sync worker's one connection per request pays each time).
     */
    public ChannelFactory<Channel> clientChannelFactory(SocketAddress address) {
        if (epoll && address instanceof InetSocketAddress inet && inet.getAddress() instanceof Inet4Address) {
            return () -> new EpollSocketChannel(InternetProtocolFamily.IPv4);
        }
        Class<? extends Channel> type = clientChannel(address);
        return new ReflectiveChannelFactory<>(type)::newChannel;
    }

    public Class<? extends Channel> clientChannel(SocketAddress address) {
        if (address instanceof DomainSocketAddress) {
            requireEpoll(address);
            return EpollDomainSocketChannel.class;
        }
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    private void requireEpoll(SocketAddress address) {
        if (!epoll) {
            throw new IllegalStateException("unix socket " + address + " needs the native epoll transport: "
                    + Epoll.unavailabilityCause());
        }
    }

    /**
     * Acknowledges what {@code ch} received at once instead of up to 40 ms later (TCP_QUICKACK, which Linux clears
     * again by itself). A worker that leaves Nagle's algorithm on and writes its response head and body apart (the
     * {@code http.server} family) sends the body only once its head is acknowledged: without this, every response
     * of a keep-alive connection waits for the delayed ACK. TCP over epoll only; a no-op otherwise.
     */
    static void quickAck(Channel ch) {
        if (ch instanceof EpollSocketChannel tcp) {
            try {
                tcp.config().setTcpQuickAck(true);
            } catch (io.netty.channel.ChannelException e) {
                // the connection is closing: nothing to acknowledge
            }
        }
    }

    /** "127.0.0.1:8000" or "unix:/run/web.sock". */
    public static String describe(SocketAddress address) {
        if (address instanceof DomainSocketAddress d) {
            return "unix:" + d.path();
        }
        if (address instanceof java.net.InetSocketAddress i) {
            String host = i.getAddress() == null ? i.getHostString() : i.getAddress().getHostAddress();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + i.getPort();
        }
        return String.valueOf(address);
    }
}
