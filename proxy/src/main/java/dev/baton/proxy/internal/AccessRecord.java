package dev.baton.proxy.internal;

/**
 * One line of the access log. Strings may be null where a value is unknown (a request refused before its head was
 * read has no method); {@code worker} is the worker that served the request ("web:2") or "-" for none.
 *
 * @param remoteAddress client address as in X-Forwarded-For ("203.0.113.7", "unix")
 * @param time request start, epoch milliseconds
 * @param method request method
 * @param uri request target as received
 * @param protocol "HTTP/1.1"
 * @param status response status sent to the client
 * @param bytesSent response body bytes sent to the client
 * @param referer Referer header
 * @param userAgent User-Agent header
 * @param program program that served the request ("web")
 * @param worker worker that served the request ("web:2"), or "-"
 * @param durationMillis from request start to response end
 */
public record AccessRecord(
        String remoteAddress,
        long time,
        String method,
        String uri,
        String protocol,
        int status,
        long bytesSent,
        String referer,
        String userAgent,
        String program,
        String worker,
        long durationMillis) {
}
