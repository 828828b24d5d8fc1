package dev.baton.supervisor.control;

import java.util.List;

/**
 * The last line of {@code POST /v1/upgrade}: how the daemon's replacement ended. Sent by the old daemon at the
 * switch (then it drains and exits; the CLI waits for {@code oldPid} to be gone), or when the new daemon failed
 * (then the old one serves on, untouched).
 *
 * @param upgrade      {@code upgraded} or {@code failed}
 * @param ok           true when the new daemon serves
 * @param oldPid       the daemon that was asked to upgrade
 * @param newPid       the daemon that replaced it, or the one that failed (0 when none started)
 * @param message      the line shown to the operator
 * @param durationMs   from the request to the switch or the failure
 * @param failedWorker the new worker that failed ({@code web:1}), or empty
 * @param lastLines    that worker's last output lines, oldest first
 */
public record UpgradeSummary(String upgrade, boolean ok, long oldPid, long newPid, String message, long durationMs,
                             String failedWorker, List<String> lastLines) implements ReloadLine {
}
