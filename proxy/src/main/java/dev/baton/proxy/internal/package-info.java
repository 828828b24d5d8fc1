/**
 * Protocol pieces of the proxy's client side, used by the listener's pipeline and the relay.
 *
 * <p>Client pipeline order (head to tail), and why:
 * <ol>
 *   <li>{@link dev.baton.proxy.internal.RequestGuard} {@code (maxHeaderSize)}: frames the raw bytes with the
 *       codec's own decoder configuration and refuses obs-fold, bare CR/LF, NUL and smuggling-shaped framing
 *       before the codec sees the head;</li>
 *   <li>{@link dev.baton.proxy.internal.RequestChecks#serverCodec(int)} with the same {@code maxHeaderSize};</li>
 *   <li>{@link dev.baton.proxy.internal.ClientTimeouts}: needs the guard's HEAD_STARTED events, sees the
 *       {@code read()} calls the core makes for a request body (to time the client's silence),
 *       the {@code HttpRequest}s and the responses' {@code LastHttpContent};</li>
 *   <li>the core's frontend handler.</li>
 * </ol>
 *
 * <p>Invariants:
 * <ul>
 *   <li>A request whose {@code decoderResult()} failed is answered with
 *       {@link dev.baton.proxy.internal.RequestChecks#decoderFailure} (400, 414, 431 or 505) through
 *       {@link dev.baton.proxy.internal.Responses#send} with close, and nothing read after it is served.</li>
 *   <li>A forwarded request goes through {@link dev.baton.proxy.internal.HopByHop#strip} (or
 *       {@code stripForUpgrade}) and then {@link dev.baton.proxy.internal.Forwarding#apply}, in that order, and
 *       gets its framing set again afterwards (Transfer-Encoding is hop-by-hop).</li>
 *   <li>Guard and codec are removed together when the connection switches protocols (101).</li>
 *   <li>Nothing here blocks: timers run on the channel's event loop, addresses are literals, never resolved.</li>
 * </ul>
 */
package dev.baton.proxy.internal;
