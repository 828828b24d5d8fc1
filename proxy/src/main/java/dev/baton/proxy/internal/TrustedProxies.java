package dev.baton.proxy.internal;

import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The peers whose X-Forwarded-* headers are believed: IPv4 and IPv6 addresses and CIDR blocks, a plain address
 * meaning /32 or /128. Immutable. Only literals are accepted, never host names, so nothing is resolved and
 * nothing blocks. Host bits under the prefix are ignored ("10.1.2.3/8" is 10.0.0.0/8). IPv4-mapped IPv6
 * addresses ("::ffff:10.0.0.1") are treated as the IPv4 address, in entries and in lookups.
 *
 * <p>Unix-socket clients have no address: they are trusted only when the list holds the word {@code unix}.
 */
public final class TrustedProxies {

    /** Trusts nobody. */
    public static final TrustedProxies NONE = new TrustedProxies(List.of(), false);

    private record Block(byte[] network, int prefix) {
    }

    private final List<Block> blocks;
    private final boolean unix;

    private TrustedProxies(List<Block> blocks, boolean unix) {
        this.blocks = List.copyOf(blocks);
        this.unix = unix;
    }

    /**
     * Parses entries such as {@code 127.0.0.1}, {@code 10.0.0.0/8}, {@code ::1}, {@code fd00::/8}, {@code unix}.
     * Every bad entry is named in one IllegalArgumentException.
     */
    public static TrustedProxies parse(List<String> cidrsOrIps) {
        List<Block> blocks = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        boolean unix = false;
        for (String raw : cidrsOrIps) {
            String entry = raw == null ? "" : raw.strip();
            if (entry.toLowerCase(Locale.ROOT).equals("unix")) {
                unix = true;
                continue;
            }
            try {
                blocks.add(block(entry));
            } catch (IllegalArgumentException e) {
                errors.add("\"" + RequestChecks.printable(entry) + "\": " + e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("trusted proxies: " + String.join("; ", errors));
        }
        return new TrustedProxies(blocks, unix);
    }

    private static Block block(String entry) {
        int slash = entry.indexOf('/');
        String address = slash < 0 ? entry : entry.substring(0, slash);
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
        if (bytes == null) {
            throw new IllegalArgumentException("not an IP address or CIDR block");
        }
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = entry.substring(slash + 1);
            if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > bits) {
                throw new IllegalArgumentException("prefix length must be 0 to " + bits);
            }
            prefix = Integer.parseInt(p);
        }
        if (isMappedV4(bytes) && prefix >= 96) {
            bytes = v4(bytes);
            prefix -= 96;
        }
        return new Block(mask(bytes, prefix), prefix);
    }

    /** True when {@code address} is in one of the blocks. */
    public boolean contains(InetAddress address) {
        if (address == null) {
            return false;
        }
        byte[] bytes = address.getAddress();
        if (isMappedV4(bytes)) {
            bytes = v4(bytes);
        }
        for (Block b : blocks) {
            if (b.network.length == bytes.length && matches(b, bytes)) {
                return true;
            }
        }
        return false;
    }

    /** True for an IP client in a block, or a unix-socket client when {@code unix} was listed. */
    public boolean trusts(SocketAddress client) {
        if (client instanceof InetSocketAddress inet) {
            return contains(inet.getAddress());
        }
        return client instanceof DomainSocketAddress && unix;
    }

    private static boolean matches(Block b, byte[] bytes) {
        int full = b.prefix / 8;
        for (int i = 0; i < full; i++) {
            if (bytes[i] != b.network[i]) {
                return false;
            }
        }
        int rest = b.prefix % 8;
        if (rest == 0) {
            return true;
        }
        int m = (0xff << (8 - rest)) & 0xff;
        return (bytes[full] & m) == (b.network[full] & m);
    }

    private static byte[] mask(byte[] bytes, int prefix) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & ((0xff << (8 - keep)) & 0xff));
        }
        return out;
    }

    private static boolean isMappedV4(byte[] b) {
        if (b.length != 16 || b[10] != (byte) 0xff || b[11] != (byte) 0xff) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] v4(byte[] mapped) {
        return new byte[] {mapped[12], mapped[13], mapped[14], mapped[15]};
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (Block b : blocks) {
            try {
                parts.add(NetUtil.toAddressString(InetAddress.getByAddress(b.network)) + "/" + b.prefix);
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
        if (unix) {
            parts.add("unix");
        }
        return "TrustedProxies" + parts;
    }
}
