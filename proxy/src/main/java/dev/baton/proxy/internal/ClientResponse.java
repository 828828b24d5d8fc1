package dev.baton.proxy.internal;

import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * A worker's response head as the client gets it: hop-by-hop headers removed (RFC 9110 section 7.6.1) and the
 * body framing re-stated for the client's connection. A close-delimited worker response (HTTP/1.0 style) is
 * sent chunked to an HTTP/1.1 client, so its connection stays usable; an HTTP/1.0 client gets the raw body and
 * a closed connection.
 *
 * @param head           the head to write to the client
 * @param closeDelimited the worker ends this body by closing its connection
 */
record ClientResponse(HttpResponse head, boolean closeDelimited) {

    static ClientResponse of(HttpResponse worker, HttpMethod method, boolean clientKeepAlive, boolean clientHttp10) {
        int status = worker.status().code();
        boolean bodiless = method.equals(HttpMethod.HEAD) || status == 204 || status == 304;
        boolean chunked = HttpUtil.isTransferEncodingChunked(worker);
        boolean closeDelimited = !bodiless && !HttpUtil.isContentLengthSet(worker) && !chunked;
        // the worker's headers, changed in place: its head is read above, and nothing reads it after
        HttpResponse out = new DefaultHttpResponse(HttpVersion.HTTP_1_1, worker.status(), worker.headers());
        HopByHop.strip(out.headers());
        if (closeDelimited || chunked) {
            if (clientHttp10) {
                out.headers().remove(HttpHeaderNames.TRANSFER_ENCODING); // raw body, ended by closing
            } else {
                out.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
        }
        if (!clientKeepAlive || clientHttp10 && !HttpUtil.isContentLengthSet(out)) {
            out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (clientHttp10) {
            out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return new ClientResponse(out, closeDelimited);
    }
}
