package dev.baton.proxy.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelProgressiveFuture;
import io.netty.channel.ChannelProgressiveFutureListener;
import io.netty.channel.ChannelProgressivePromise;
import io.netty.handler.codec.http.HttpRequest;

/**
 * One try of an exchange on one worker: the balancer slot it was granted, the connection it leased, its response
 * timer, and its place among the requests waiting on that worker. {@link #end} gives all of it back, once (a
 * second call does nothing). Event loop thread of the client connection only.
 */
final class Attempt {

    private final ProgramProxy program;
    private final Backend backend;
    private final Backend.Waiting waiter;
    private final ResponseTimer timer;
    private final long granted = System.nanoTime();
    private boolean slot = true;
    private Channel channel;
    private boolean reused;
    private boolean reached;

    /** {@code backend}'s slot is already taken (a balancer grant); {@code timedOut} runs on {@code loop}. */
    Attempt(ProgramProxy program, Backend backend, Backend.Waiting waiter, Deadline deadline, Runnable timedOut) {
        this.program = program;
        this.backend = backend;
        this.waiter = waiter;
        this.timer = new ResponseTimer(deadline, backend.settings().timeouts().response().toNanos(), timedOut);
    }

    Backend backend() {
        return backend;
    }

    /** How long since the try was granted its slot (its duration, once the worker answered). */
    long nanosSinceGrant() {
        return System.nanoTime() - granted;
    }

    /** The worker connection, or null before it is connected and after the try ended. */
    Channel channel() {
        return channel;
    }

    /** True when the connection served an exchange before (came from the pool). */
    boolean reused() {
        return reused;
    }

    /** The connection is ready: what the worker sends goes to {@code listener}; the request waits on the worker. */
    void connected(Upstream.Lease lease, BackendHandler.Listener listener) {
        channel = lease.channel();
        reused = lease.reused();
        channel.config().setAutoRead(false);
        BackendHandler.of(channel).listener(listener);
        backend.waiting(waiter);
    }

    /**
     * Sends the request: its head and the body held so far, each write reporting to {@code written}; then asks
     * the worker for its answer.
     */
    void send(HttpRequest head, RequestBody body, ChannelFutureListener written) {
        ChannelProgressivePromise headWritten = channel.newProgressivePromise();
        headWritten.addListener(new HeadProgress(written));
        channel.write(head, headWritten);
        body.replay(channel, written);
        channel.flush();
        channel.read();
    }

    /**
     * True once a byte of the request may have reached the worker: the kernel took some of the head. While false,
     * the worker cannot have read any of it, so the request may go to another worker whatever its method. (The
     * writes after the head fail with it when it fails: a channel's writes go out in order.)
     */
    boolean reached() {
        return reached;
    }

    /** Notes the first byte of the head the kernel took (a partial write reports progress), then reports. */
    private final class HeadProgress implements ChannelProgressiveFutureListener {
        private final ChannelFutureListener written;

        HeadProgress(ChannelFutureListener written) {
            this.written = written;
        }

        @Override
        public void operationProgressed(ChannelProgressiveFuture future, long progress, long total) {
            if (progress > 0) {
                reached = true;
            }
        }

        @Override
        public void operationComplete(ChannelProgressiveFuture future) throws Exception {
            if (future.isSuccess()) {
                reached = true;
            }
            written.operationComplete(future);
        }
    }

    /** The worker sent something, or the request was sent: {@code response_timeout} starts again. */
    void touch() {
        timer.touch();
    }

    /**
     * Ends the try: the connection goes back to the pool when {@code reusable} (the exchange ended cleanly), else it
     * closes; the slot, the timer and the waiting place are given back.
     */
    void end(boolean reusable) {
        timer.cancel();
        backend.notWaiting(waiter);
        Channel ch = channel;
        channel = null;
        if (ch != null) {
            BackendHandler handler = BackendHandler.of(ch);
            if (handler != null) {
                handler.listener(null);
            }
            program.upstream().release(backend, ch, reusable);
        }
        releaseSlot();
    }

    /** The connection became a tunnel, which owns it now: only the slot, timer and waiting place are given back. */
    void tunnelled() {
        channel = null;
        end(false);
    }

    private void releaseSlot() {
        if (slot) {
            slot = false;
            program.balancer().release(backend);
        }
    }
}
