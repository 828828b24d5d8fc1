package dev.baton.conf.internal;

import java.util.Optional;
import java.util.regex.Pattern;

/** Checks the syntax of IPv4 and IPv6 address literals and CIDR blocks, without any name lookup. */
public final class IpLiterals {

    private static final Pattern HEX_GROUP = Pattern.compile("[0-9A-Fa-f]{1,4}");
    private static final Pattern DECIMAL_OCTET = Pattern.compile("0|[1-9][0-9]{0,2}");
    private static final Pattern PREFIX_LENGTH = Pattern.compile("[0-9]{1,3}");

    private IpLiterals() {
    }

    /** {@code 192.168.0.1}: four decimal numbers 0..255 without leading zeros. */
    public static boolean isIpv4(String text) {
        String[] octets = text.split("\\.", -1);
        if (octets.length != 4) {
            return false;
        }
        for (String octet : octets) {
            if (!DECIMAL_OCTET.matcher(octet).matches() || Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }

    /** {@code ::1}, {@code fe80::1:2}, {@code ::ffff:10.0.0.1}: RFC 4291 text forms, without a zone. */
    public static boolean isIpv6(String text) {
        int lastColon = text.lastIndexOf(':');
        if (lastColon < 0) {
            return false;
        }
        String groups = text;
        int ipv4Groups = 0;
        if (text.indexOf('.', lastColon) >= 0) {
            if (!isIpv4(text.substring(lastColon + 1))) {
                return false;
            }
            boolean afterDoubleColon = lastColon > 0 && text.charAt(lastColon - 1) == ':';
            groups = text.substring(0, afterDoubleColon ? lastColon + 1 : lastColon);
            ipv4Groups = 2;
        }
        int doubleColon = groups.indexOf("::");
        if (doubleColon < 0) {
            return countGroups(groups) + ipv4Groups == 8;
        }
        if (groups.indexOf("::", doubleColon + 1) >= 0) {
            return false;
        }
        int left = countGroups(groups.substring(0, doubleColon));
        int right = countGroups(groups.substring(doubleColon + 2));
        return left >= 0 && right >= 0 && left + right + ipv4Groups <= 7;
    }

    /**
     * What is wrong with an IP address or CIDR block such as {@code "10.0.0.0/8"} or {@code "::1"}, if anything.
     * Bits set after the prefix ({@code "10.0.0.1/8"}) are allowed.
     */
    public static Optional<String> cidrProblem(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        boolean ipv4 = isIpv4(address);
        if (!ipv4 && !isIpv6(address)) {
            return Optional.of("expected an IP address or CIDR block such as \"10.0.0.0/8\" or \"::1\", found \""
                    + text + "\"");
        }
        if (slash < 0) {
            return Optional.empty();
        }
        String prefix = text.substring(slash + 1);
        int max = ipv4 ? 32 : 128;
        if (!PREFIX_LENGTH.matcher(prefix).matches() || Integer.parseInt(prefix) > max) {
            return Optional.of("prefix length must be 0.." + max + " for an " + (ipv4 ? "IPv4" : "IPv6")
                    + " address, found \"" + text + "\"");
        }
        return Optional.empty();
    }

    /** The number of colon-separated hex groups in {@code text} ({@code 0} when empty), or -1 if malformed. */
    private static int countGroups(String text) {
        if (text.isEmpty()) {
            return 0;
        }
        String[] groups = text.split(":", -1);
        for (String group : groups) {
            if (!HEX_GROUP.matcher(group).matches()) {
                return -1;
            }
        }
        return groups.length;
    }
}
