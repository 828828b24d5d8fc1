package dev.baton.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketReadMode;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A listening socket handed from one proxy to another, as {@code baton upgrade} hands it from the old daemon to the
 * new: sent as a file descriptor over a unix socket (SCM_RIGHTS), adopted, then served by the new proxy while the
 * old one lets go of its copy. The address never stops accepting; no request fails.
 */
class ProxyHandoverTest {

    @RegisterExtension
    final Backends backends = new Backends();

    @Test
    void listenerHandedToAnotherProxyKeepsAcceptingAndNoRequestFails() throws Exception {
        BackendView oldWorker = backends.start("web:0", false);
        BackendView newWorker = backends.start("web:1", false);
        ProxySettings settings = backends.listenOnFreePort("web");
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), backends.port);
        try (ProxyServer oldServer = ProxyServer.start(Backends.QUIET);
             ProxyServer newServer = ProxyServer.start(Backends.QUIET)) {
            Listener listener = oldServer.bind(address);
            ProxiedProgram old = Backends.serve(oldServer, settings, oldWorker, listener);

            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger failures = new AtomicInteger();
            AtomicInteger answered = new AtomicInteger();
            Thread load = new Thread(() -> {
                while (running.get()) {
                    try {
                        if (backends.get("/load").statusCode() == 200) {
                            answered.incrementAndGet();
                        } else {
                            failures.incrementAndGet();
                        }
                    } catch (IOException | InterruptedException e) {
                        failures.incrementAndGet();
                    }
                }
            }, "load");
            load.start();
            try {
                Backends.await("requests answered by the old proxy", () -> answered.get() > 10);
                Listener adopted = newServer.adopt(address, handOver(listener.fd().getAsInt()));
                ProxiedProgram next = Backends.serve(newServer, settings, newWorker, adopted);
                listener.handedOver();
                old.stopAccepting().get(20, TimeUnit.SECONDS);
                int before = answered.get();
                Backends.await("requests answered after the handover", () -> answered.get() > before + 10);
            } finally {
                running.set(false);
                load.join(30_000);
            }
            assertEquals(0, failures.get(), "failed requests during the handover");
            for (int i = 0; i < 5; i++) {
                assertEquals("web:1", Backends.name(backends.get("/after")), "only the new proxy accepts now");
            }
        }
    }

    @Test
    void adoptingADescriptorThatListensElsewhereIsRefused() throws Exception {
        backends.listenOnFreePort("web");
        InetSocketAddress bound = new InetSocketAddress(InetAddress.getLoopbackAddress(), backends.port);
        InetSocketAddress elsewhere = new InetSocketAddress(InetAddress.getLoopbackAddress(), Backends.freePort());
        try (ProxyServer one = ProxyServer.start(Backends.QUIET);
             ProxyServer other = ProxyServer.start(Backends.QUIET)) {
            Listener listener = one.bind(bound);
            int fd = handOver(listener.fd().getAsInt());
            IOException e = assertThrows(IOException.class, () -> other.adopt(elsewhere, fd));
            assertTrue(e.getMessage().startsWith("cannot adopt 127.0.0.1:"), e.getMessage());
            listener.close();
        }
    }

    /** A copy of {@code fd}, sent over a unix socket with SCM_RIGHTS and received, as another process would. */
    private int handOver(int fd) throws Exception {
        EpollEventLoopGroup group = new EpollEventLoopGroup(1);
        try {
            DomainSocketAddress path = new DomainSocketAddress(backends.dir().resolve("handover.sock").toString());
            Channel server = new ServerBootstrap().group(group).channel(EpollServerDomainSocketChannel.class)
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            ctx.writeAndFlush(new FileDescriptor(fd));
                        }
                    }).bind(path).sync().channel();
            CompletableFuture<FileDescriptor> received = new CompletableFuture<>();
            Channel client = new Bootstrap().group(group).channel(EpollDomainSocketChannel.class)
                    .option(EpollChannelOption.DOMAIN_SOCKET_READ_MODE, DomainSocketReadMode.FILE_DESCRIPTORS)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            received.complete((FileDescriptor) msg);
                        }
                    }).connect(path).sync().channel();
            int copy = received.get(10, TimeUnit.SECONDS).intValue();
            client.close().sync();
            server.close().sync();
            return copy;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
