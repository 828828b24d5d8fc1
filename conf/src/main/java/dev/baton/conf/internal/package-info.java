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
 *   <li>Nothing here touches the file system beyond reading the file: directories are only resolved.</li>
 * </ul>
 */
package dev.baton.conf.internal;
