#!/usr/bin/env python3
"""The Debian package as an administrator meets it (issue 16; docs/install.md).

Builds it with `cpack -G DEB` in BUILD_DIR, checks its contents and conffiles, runs lintian (no error, no warning),
then, as root, installs it with dpkg, checks what postinst made (the sirenbox user in the gpio group, the config's
owner and mode), starts the installed daemon as the sirenbox user with a notify socket of its own and waits for
READY, STATUS and WATCHDOG, and purges the package again. systemd is not PID 1 here, so the maintainer scripts leave the service alone.
The sirenbox user and the gpio group are removed again when this test created them. Exit 77 (skipped) when not root.

  deb_check.py BUILD_DIR [--no-install]
--no-install: build, contents, conffiles and lintian only (a package for another architecture: tools/cross-test).
"""
import glob
import grp
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

EXPECTED = [
    "./usr/bin/sirenboxd", "./usr/bin/sirenboxctl", "./lib/systemd/system/sirenbox.service",
    "./etc/sirenbox/sirenbox.json", "./usr/share/man/man8/sirenboxd.8.gz", "./usr/share/man/man8/sirenboxctl.8.gz",
    "./usr/share/doc/sirenbox/copyright", "./usr/share/doc/sirenbox/changelog.gz",
    "./usr/share/doc/sirenbox/install.md", "./usr/share/doc/sirenbox/operations.md",
    "./usr/share/sirenbox/boards/rpi4.json", "./usr/share/sirenbox/boards/generic.json",
]


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, **kw)


def fail(message):
    sys.exit("deb_check: " + message)


def build(build_dir):
    for old in glob.glob(os.path.join(build_dir, "sirenbox_*.deb")):
        os.remove(old)
    made = run(["cpack", "-G", "DEB"], cwd=build_dir)
    debs = glob.glob(os.path.join(build_dir, "sirenbox_*.deb"))
    if made.returncode != 0 or len(debs) != 1:
        fail("cpack -G DEB failed:\n" + made.stdout + made.stderr)
    return debs[0]


def check_contents(deb):
    listing = run(["dpkg-deb", "-c", deb]).stdout
    paths = {line.split()[-1] for line in listing.splitlines() if line.strip()}
    missing = [p for p in EXPECTED if p not in paths]
    if missing:
        fail("%s lacks %s; it holds:\n%s" % (deb, ", ".join(missing), listing))
    name = run(["dpkg-deb", "-f", deb, "Package"]).stdout.strip()
    if name != "sirenbox":
        fail("package name %r" % name)
    work = tempfile.mkdtemp(prefix="sirenbox-deb-")
    try:
        run(["dpkg-deb", "-e", deb, work])
        with open(os.path.join(work, "conffiles")) as f:
            if f.read().split() != ["/etc/sirenbox/sirenbox.json"]:
                fail("conffiles must list /etc/sirenbox/sirenbox.json alone")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def check_lintian(deb):
    out = run(["lintian", "--tag-display-limit", "0", deb])
    tags = [line for line in out.stdout.splitlines() if line[:2] in ("E:", "W:")]
    if tags or out.returncode not in (0,):
        fail("lintian:\n" + out.stdout + out.stderr)


def told_systemd(notify, proc):
    """What the daemon told the notify socket until it had said READY=1, a STATUS= and two WATCHDOG=1 (20 s at most)."""
    notify.settimeout(1.0)
    told = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            told += notify.recv(4096).decode().split("\n")
        except socket.timeout:
            continue
        if "READY=1" in told and told.count("WATCHDOG=1") >= 2 and any(t.startswith("STATUS=") for t in told):
            break
    return told


def run_installed_daemon():
    """The installed binary as the sirenbox user, as the unit runs it: READY, STATUS and WATCHDOG to a notify socket
    of the test's own (WatchdogSec=400ms), health "not configured", then a clean stop on SIGTERM."""
    work = tempfile.mkdtemp(prefix="sirenbox-deb-run-")
    user = pwd.getpwnam("sirenbox")
    os.chown(work, user.pw_uid, user.pw_gid)
    os.chmod(work, 0o700)
    config = os.path.join(work, "sirenbox.json")
    with open(config, "w") as f:
        f.write('{"box": {"id": "deb-check"}, "gpio": {"backend": "sim"}, "mqtt": {"enabled": false}, '
                '"store": {"path": "%s/sirenbox.db"}, "control": {"socket": "%s/control.sock"}}' % (work, work))
    os.chown(config, user.pw_uid, user.pw_gid)
    notify_path = os.path.join(work, "notify.sock")
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(notify_path)
    os.chown(notify_path, user.pw_uid, user.pw_gid)
    log = open(os.path.join(work, "daemon.log"), "w")
    env = dict(os.environ, NOTIFY_SOCKET=notify_path, WATCHDOG_USEC="400000")
    proc = subprocess.Popen(["/usr/bin/sirenboxd", "--config", config], stdout=log, stderr=log, env=env,
                            user="sirenbox", group="sirenbox", extra_groups=["gpio"])
    try:
        told = told_systemd(notify, proc)
        if "READY=1" not in told or told.count("WATCHDOG=1") < 2 or not any(t.startswith("STATUS=") for t in told):
            fail("the installed sirenboxd, run as sirenbox, told systemd %r, not READY=1, a STATUS and two "
                 "WATCHDOG=1:\n%s" % (told, open(log.name).read()))
        health = run(["/usr/bin/sirenboxctl", "--socket", os.path.join(work, "control.sock"), "health"])
        if health.returncode != 1 or "not configured" not in health.stdout:
            fail("sirenboxctl health on an unconfigured box: exit %d, %r" % (health.returncode, health.stdout))
        os.kill(proc.pid, signal.SIGTERM)
        if proc.wait(timeout=20) != 0:
            fail("the installed sirenboxd did not stop cleanly:\n" + open(log.name).read())
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        notify.close()
        shutil.rmtree(work, ignore_errors=True)


def install_and_purge(deb):
    had_user = run(["getent", "passwd", "sirenbox"]).returncode == 0
    had_group = run(["getent", "group", "gpio"]).returncode == 0
    if run(["dpkg-query", "-W", "sirenbox"]).returncode == 0:
        run(["dpkg", "--purge", "sirenbox"])  # left by an earlier run that failed half-way
    try:
        installed = run(["dpkg", "-i", deb])
        if installed.returncode != 0:
            fail("dpkg -i %s:\n%s%s" % (deb, installed.stdout, installed.stderr))
        user = pwd.getpwnam("sirenbox")
        if "sirenbox" not in grp.getgrnam("gpio").gr_mem:
            fail("postinst did not put sirenbox in the gpio group")
        st = os.stat("/etc/sirenbox/sirenbox.json")
        if st.st_uid != 0 or st.st_gid != user.pw_gid or stat.S_IMODE(st.st_mode) != 0o640:
            fail("/etc/sirenbox/sirenbox.json must be root:sirenbox 640, is %o" % stat.S_IMODE(st.st_mode))
        checked = run(["/usr/bin/sirenboxd", "--check-config", "/etc/sirenbox/sirenbox.json"])
        if "sirenbox.json: " not in checked.stdout:
            fail("sirenboxd --check-config of the default file: " + checked.stdout + checked.stderr)
        run_installed_daemon()
        purged = run(["dpkg", "--purge", "sirenbox"])
        if purged.returncode != 0:
            fail("dpkg --purge sirenbox:\n" + purged.stdout + purged.stderr)
        left = [p for p in ("/usr/bin/sirenboxd", "/etc/sirenbox/sirenbox.json", "/lib/systemd/system/sirenbox.service",
                            "/var/lib/sirenbox") if os.path.exists(p)]
        if left:
            fail("left after purge: " + ", ".join(left))
    finally:
        if run(["dpkg-query", "-W", "sirenbox"]).returncode == 0:
            run(["dpkg", "--purge", "sirenbox"])
        if not had_user and run(["getent", "passwd", "sirenbox"]).returncode == 0:
            run(["deluser", "--system", "--quiet", "sirenbox"])
            run(["delgroup", "--system", "--quiet", "sirenbox"])
        if not had_group and run(["getent", "group", "gpio"]).returncode == 0:
            run(["delgroup", "--system", "--quiet", "gpio"])


def main():
    build_dir = sys.argv[1]
    deb = build(build_dir)
    check_contents(deb)
    check_lintian(deb)
    if "--no-install" in sys.argv[2:]:
        arch = run(["dpkg-deb", "-f", deb, "Architecture"]).stdout.strip()
        print("deb_check: %s (%s): contents, conffiles, lintian" % (os.path.basename(deb), arch))
        return
    if os.geteuid() != 0:
        print("deb_check: not root: contents and lintian checked; install and purge skipped")
        sys.exit(77)
    install_and_purge(deb)
    print("deb_check: %s: contents, conffiles, lintian, install as root, run as sirenbox, purge" % os.path.basename(deb))


if __name__ == "__main__":
    main()
