/**
 * Worker output: log files, the in-memory history behind {@code baton logs}, and the echo to Baton's stdout.
 *
 * <p>Raw chunks of a worker's stdout or stderr arrive on a NuProcess I/O thread shared by all workers. A
 * {@link dev.baton.supervisor.log.LineSink} per worker stream cuts them into lines, appends each line to that
 * worker's {@link dev.baton.supervisor.log.RotatingFile} and publishes it to the {@link dev.baton.supervisor.log.LogHub}.
 * {@link dev.baton.supervisor.log.LogFiles} owns the files, one per path: {@code log_dir/web-2.out.log} by default,
 * none with {@code stdout_logfile = "NONE"}, or the path a {@code stdout_logfile} template expands to, shared by
 * every worker stream whose path expands alike.
 *
 * <p>Invariants:
 * <ul>
 *   <li><b>Bounded memory.</b> A sink keeps at most {@link dev.baton.supervisor.log.LineSink#MAX_LINE_BYTES} of a
 *       partial line; a longer line is cut into pieces of at most that size. The hub keeps at most its configured
 *       number of lines and characters, evicting the oldest. Nothing else grows with a worker's output.</li>
 *   <li><b>Whole lines.</b> Each line is appended to its file by one {@code write} call, and a file serializes its
 *       writes, so two workers sharing a file (old and new generation during a reload, or workers whose {@code stdout_logfile}
 *       expands alike) never interleave mid-line.</li>
 *   <li><b>Raw bytes on disk, text in memory.</b> The file gets a line's bytes unchanged (only the line ending is
 *       normalized to {@code \n}); the hub gets them decoded as UTF-8, invalid bytes replaced by U+FFFD. With
 *       {@code log_timestamps} each line in the file starts with one stamp, in the same write as the line, whose time
 *       is the hub line's {@code timeMillis}.</li>
 *   <li><b>Logging never fails a running worker.</b> A file write that fails is reported once per failure episode
 *       on stderr and the data is dropped; a hub subscriber that throws is removed. Only a configured
 *       {@code stdout_logfile} / {@code stderr_logfile} path is checked before the worker starts: one that cannot
 *       be opened (its folder missing) keeps it from starting, with that reason.</li>
 *   <li><b>Nothing blocks the I/O thread</b> except the file write itself: hub subscribers and the echo sink
 *       must not block.</li>
 * </ul>
 */
package dev.baton.supervisor.log;
