/**
 * How {@link dev.baton.conf.ConfigLoader} validates a file. Not API.
 *
 * <p>Invariants:
 * <ul>
 *   <li>Nothing stops at the first problem: every reader reports to one {@link dev.baton.conf.internal.Problems}
 *       and carries on with the default, so the user sees every mistake at once, sorted by line and column.</li>
 *   <li>A TOML syntax error is the exception: the file is not validated further until it parses.</li>
 *   <li>A problem with a value points at the value; an unknown key at the key; a missing key at the table.</li>
 *   <li>{@code command} is split into words first and {@code ${VAR}} expanded in each word after, so a variable's
 *       value is never split or unquoted. Per-worker {@code {placeholders}} are left for the supervisor.</li>
 *   <li>Nothing here touches the file system or the network beyond reading the file and the files it names to
 *       be read at load time (included files, {@code environment_file}s): directories, log files and unix socket paths are only
 *       resolved, host names are not looked up, ports are not tried.</li>
 *   <li>The problems of another file (an included or environment file) are reported as that file's, with its line, after
 *       those of the file that names it.</li>
 *   <li>A worker's environment is one map: {@code [baton] environment}, under the {@code environment_file}s in
 *       order, under the program's {@code environment} table. {@code ${VAR}} is expanded in the tables, never in
 *       the files' values (as systemd).</li>
 *   <li>A program has a proxy exactly when it has {@code listen}. Every other proxy key without {@code listen} is
 *       an error of its own, and its value is still checked.</li>
 *   <li>{@code [baton] include} brings in files of {@code [program.NAME]} and {@code [group.NAME]} tables only,
 *       one level deep; each file's problems are its own (its name, its lines) and every file's are reported
 *       together, the main file's first. A relative path resolves against the folder of the file it is in. A
 *       program or group is defined in one file; groups are checked once every file is read.</li>
 *   <li>Each listen address appears once in the whole configuration and is never the control socket. Programs are read in
 *       file order, so the later use is the one reported, and it names the key that has the address.</li>
 * </ul>
 */
package dev.baton.conf.internal;
