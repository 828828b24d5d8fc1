package dev.baton.supervisor.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a user other than root may enter a folder or run a file, checked as the kernel checks the mode bits: the
 * owner's bits when the user owns the path, else the group's when the path's group is the user's primary or a
 * supplementary group ({@code /etc/group}), else the others' (ACLs and LDAP groups are not seen). Every folder on
 * the way needs its x bit. For {@code baton check}'s warnings.
 */
final class UserAccess {

    private static final int X = 1;
    private static final int R = 4;

    private final String user;
    private final int uid;
    private final Set<Integer> gids;

    UserAccess(String user, int uid, int gid, Set<Integer> supplementary) {
        this.user = user;
        this.uid = uid;
        this.gids = new HashSet<>(supplementary);
        this.gids.add(gid);
    }

    /** {@code user} with its primary group and the groups {@code /etc/group} lists it in. */
    static UserAccess of(String user, int uid, int gid) {
        return new UserAccess(user, uid, gid, groupsOf(user, Path.of("/etc/group")));
    }

    /** The gids of the groups whose member list names {@code user} in a file of {@code /etc/group}'s format. */
    static Set<Integer> groupsOf(String user, Path file) {
        Set<Integer> gids = new HashSet<>();
        try {
            for (String line : Files.readAllLines(file)) {
                String[] fields = line.split(":", -1);
                if (fields.length >= 4 && List.of(fields[3].split(",")).contains(user)) {
                    try {
                        gids.add(Integer.parseInt(fields[2]));
                    } catch (NumberFormatException e) {
                        // not a group line
                    }
                }
            }
        } catch (IOException e) {
            // no supplementary groups known
        }
        return gids;
    }

    /** Why the user cannot enter {@code dir}: the first folder on the way without x for it, or empty. */
    Optional<String> cannotEnter(Path dir) {
        return denied(dir.toAbsolutePath().normalize(), true);
    }

    /**
     * Why the user cannot run {@code file}: a folder on the way it cannot enter, a file without x for it, or a
     * script ({@code #!}) it cannot read; or empty.
     */
    Optional<String> cannotRun(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        Optional<String> way = abs.getParent() == null ? Optional.empty() : denied(abs.getParent(), true);
        if (way.isPresent()) {
            return way;
        }
        if (!allowed(abs, X)) {
            return Optional.of(describe(abs));
        }
        return isScript(abs) && !allowed(abs, R) ? Optional.of(describe(abs) + ", a script it cannot read")
                : Optional.empty();
    }

    String user() {
        return user;
    }

    /** The first folder from / down to {@code dir} (itself included when {@code self}) without x for the user. */
    private Optional<String> denied(Path dir, boolean self) {
        Path at = dir.getRoot();
        for (Path part : dir) {
            if (at != null && !allowed(at, X)) {
                return Optional.of(describe(at));
            }
            at = at == null ? part : at.resolve(part);
        }
        return self && at != null && !allowed(at, X) ? Optional.of(describe(at)) : Optional.empty();
    }

    /** Does the mode of {@code path} grant {@code bit} (x = 1, r = 4) to the user? A missing path: yes (not ours). */
    private boolean allowed(Path path, int bit) {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode");
            int owner = (Integer) Files.getAttribute(path, "unix:uid");
            int group = (Integer) Files.getAttribute(path, "unix:gid");
            int shift = owner == uid ? 6 : gids.contains(group) ? 3 : 0;
            return (mode >> shift & bit) != 0;
        } catch (IOException | UnsupportedOperationException e) {
            return true;
        }
    }

    /** {@code /root is 0700 root:root}. */
    private static String describe(Path path) {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode");
            Object owner = Files.getAttribute(path, "unix:owner");
            Object group = Files.getAttribute(path, "unix:group");
            return path + " is " + String.format("%04o", mode & 07777) + " " + name(owner) + ":" + name(group);
        } catch (IOException | UnsupportedOperationException e) {
            return path + " (" + e.getMessage() + ")";
        }
    }

    private static String name(Object principal) {
        return principal instanceof java.nio.file.attribute.UserPrincipal p ? p.getName() : String.valueOf(principal);
    }

    private static boolean isScript(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(2);
            return head.length == 2 && head[0] == '#' && head[1] == '!';
        } catch (IOException e) {
            return false;
        }
    }
}
