package dev.baton.supervisor.control;

import dev.baton.supervisor.log.LogHub;
import dev.baton.supervisor.log.LogLine;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Streams log lines as NDJSON over a chunked response: the last {@code n} lines that arrived at {@code since} or
 * later, then (with follow) every new line until the client goes away (a line that arrived before {@code since},
 * only possible when {@code since} is ahead of the clock, is left out there too). A client that reads slower than
 * workers write does not make Baton buffer without bound: while the connection is not writable, lines are counted
 * and dropped, and a notice says how many.
 */
final class LogStreamer {

    private LogStreamer() {
    }

    /** @param since milliseconds since the epoch; 0 for every line */
    static void start(ChannelHandlerContext ctx, LogHub hub, TargetSelection targets, int n, boolean follow,
                      long since) {
        Predicate<String> filter = targets::matchesSource;
        ctx.write(Ndjson.head());
        if (!follow) {
            hub.tail(n, since, filter).forEach(line -> ctx.write(chunk(line)));
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        Follower follower = new Follower(ctx);
        LogHub.Subscription subscription = hub.subscribe(filter, line -> {
            if (line.timeMillis() >= since) {
                follower.offer(line);
            }
        });
        for (LogLine line : hub.tail(n, since, filter)) {
            ctx.write(chunk(line));
            follower.tailEnd = line.seq();
        }
        ctx.flush();
        ctx.channel().closeFuture().addListener(f -> subscription.close());
    }

    /**
     * Hands lines from publishing threads to the connection's event loop, which alone writes. A live line at or
     * before the end of the tail was already sent with it (the subscription starts before the tail is taken, so
     * nothing falls in between). Live lines from different workers may arrive slightly out of seq order; each
     * is sent once.
     */
    private static final class Follower {
        private static final int MAX_QUEUED = 10_000;

        private final ChannelHandlerContext ctx;
        private final AtomicLong queued = new AtomicLong();
        private final AtomicLong dropped = new AtomicLong();
        private long tailEnd = -1;

        Follower(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        void offer(LogLine line) {
            if (!ctx.channel().isActive()) {
                return;
            }
            if (!ctx.channel().isWritable() || queued.get() >= MAX_QUEUED) {
                dropped.incrementAndGet();
                return;
            }
            queued.incrementAndGet();
            ctx.executor().execute(() -> send(line));
        }

        private void send(LogLine line) {
            queued.decrementAndGet();
            if (line.seq() <= tailEnd) {
                return;
            }
            long skipped = dropped.getAndSet(0);
            if (skipped > 0) {
                ctx.write(notice(skipped));
            }
            ctx.writeAndFlush(chunk(line));
        }
    }

    static LogEntry entry(LogLine line) {
        return new LogEntry(Optional.of(line.seq()), Optional.of(line.timeMillis()), line.source(),
                line.name().equals(line.source()) ? Optional.empty() : Optional.of(line.name()),
                line.stream().name().toLowerCase(Locale.ROOT), line.text());
    }

    private static DefaultHttpContent chunk(LogLine line) {
        return Ndjson.line(entry(line));
    }

    private static DefaultHttpContent notice(long skipped) {
        return Ndjson.line(LogEntry.notice(skipped
                + " lines dropped: this client reads slower than the workers write"));
    }
}
