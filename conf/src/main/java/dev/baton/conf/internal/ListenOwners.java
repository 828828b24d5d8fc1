package dev.baton.conf.internal;

import dev.baton.conf.ListenAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/** Which key of the file listens on each address, so that an address used twice is reported where it repeats. */
public final class ListenOwners {

    private final Map<ListenAddress, String> owners = new HashMap<>();

    /** Records an address that no {@code listen} may use, such as the control socket ({@code baton.socket}). */
    public void reserve(ListenAddress address, String owner) {
        owners.put(address, owner);
    }

    /**
     * Records that the key {@code owner} (a key path such as {@code program.web.listen}) listens on
     * {@code address}. If a key already does, reports that to {@code problems} instead and returns false.
     */
    public boolean claim(ListenAddress address, String owner, Consumer<String> problems) {
        String previous = owners.putIfAbsent(address, owner);
        if (previous == null) {
            return true;
        }
        problems.accept(previous.equals(owner)
                ? "\"" + address + "\" is listed twice"
                : "\"" + address + "\" is already used by " + previous);
        return false;
    }
}
