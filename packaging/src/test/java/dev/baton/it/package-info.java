/**
 * End-to-end tests of the packaged Baton: each {@code *IT} drives the real {@code bin/baton} launcher against a real
 * {@code baton run} daemon supervising real Python 3 workers ({@code fixtures/worker.py}, {@code fixtures/proxied.py},
 * the demo HTTP app) and real gunicorn workers ({@code fixtures/release_app.py}, whose deploys the reload tests
 * switch between).
 *
 * <p>{@link dev.baton.it.Sandbox} gives every test its own short folder under /tmp (config, control socket, logs),
 * starts daemons from it, and after the test shuts them down and kills anything still working in the folder;
 * a graceful shutdown that leaves a process behind fails the test. Every wait polls against a deadline and fails
 * with what it waited for, the last value seen and the daemon's log tail. A zombie counts as gone (an init that
 * does not reap keeps killed orphans as zombies).
 *
 * <p>{@link dev.baton.it.DebPackageIT} installs the Debian package with dpkg into a scratch root
 * ({@link dev.baton.it.ScratchRoot}), never onto the machine, and runs the commands of its systemd unit
 * ({@link dev.baton.it.SystemdUnit}) the way systemd would.
 *
 * <p>Run one class with {@code mvn -B -q verify -pl packaging -am -Dtest=NONE
 * -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=StopIT}.
 */
package dev.baton.it;
