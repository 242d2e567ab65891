#!/usr/bin/env python3
"""Steady-state cost of sirenboxd polling Sentinel, for several numbers of open incidents.

For each size N it starts the cloud simulator with N open incidents made in bulk (each with one alert
and two entities), a private mosquitto and sirenboxd (release build, simulated board) polling every
INTERVAL seconds; waits until every incident is an alarm (the initial look-back poll, reported too);
then measures a window of SECONDS while a steady trickle changes one incident every CHANGE_EVERY
seconds. It prints, per poll cycle: requests (list pages and detail reads), bytes, CPU time; and the
daemon's resident memory. The steady-state cost should follow the trickle, not N. A subscriber on the broker
times when the first and the last alarm state reached MQTT. With --peer the Python peer
(tools/bench/peer/sentinel_mqtt.py) polls the same simulator beside the daemon, and its CPU and memory are
printed beside the daemon's; --memory-map prints the daemon's resident memory mapping by mapping.
Run after building: cmake --build build --target sirenboxd sirenboxctl.

  tools/bench/poll_cost.py [--incidents 1000,10000] [--seconds 60] [--interval 2] [--change-every 2]
                           [--outputs '{"unacked_pattern": "steady"}'] [--idle-after-burst] [--budget 120]
                           [--peer] [--build OTHER_BUILD]
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tools", "cloudsim"))
import simclient  # noqa: E402

SUB, RG, WS = "00000000-0000-0000-0000-0000000000b1", "bench-rg", "bench-ws"
TICK = os.sysconf("SC_CLK_TCK")
OVERLAP_S = 60  # sentinel.overlap_s, the default


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit("bench: mosquitto did not listen on port %d within 10 s" % port)


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def memory_kib(pid):
    values = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    # Resident memory counts every shared library page the process touched; the proportional share and
    # the private part say what the daemon itself costs.
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key == "Pss":
                    values["Pss"] = int(rest.split()[0])
                elif key in ("Private_Clean", "Private_Dirty"):
                    values["Private"] = values.get("Private", 0) + int(rest.split()[0])
    except OSError:
        pass
    return values


def memory_map(pid):
    """Resident, proportional and private kB per mapping of the process, grouped: each shared library by
    name, the heap, thread stacks and other anonymous memory; largest resident first."""
    groups = {}
    current = None
    with open("/proc/%d/smaps" % pid) as f:
        for line in f:
            fields = line.split()
            if "-" in fields[0] and len(fields) >= 5:  # a mapping's header line
                name = fields[5] if len(fields) > 5 else "[anonymous]"
                current = groups.setdefault(os.path.basename(name), {"Rss": 0, "Pss": 0, "Private": 0})
            elif fields[0] in ("Rss:", "Pss:"):
                current[fields[0][:-1]] += int(fields[1])
            elif fields[0] in ("Private_Clean:", "Private_Dirty:"):
                current["Private"] += int(fields[1])
    return sorted(groups.items(), key=lambda item: -item[1]["Rss"])


def classify(entry):
    """'list' (first page of a poll), 'page' (a nextLink page), 'details', 'other'."""
    path = entry["path"]
    if path.endswith("/incidents") and entry["method"] == "GET":
        return "page" if "$skipToken" in entry["query"] else "list"
    if path.endswith("/alerts") or path.endswith("/entities"):
        return "details"
    return "other"


class Run:
    def __init__(self, args, incidents, build):
        self.args, self.n, self.build = args, incidents, build
        self.work = tempfile.mkdtemp(prefix="sirenbox-bench-")
        self.procs = []

    def start(self):
        secret = os.path.join(self.work, "secret")
        fd = os.open(secret, os.O_WRONLY | os.O_CREAT, 0o600)
        os.write(fd, b"bench-client-secret\n")
        os.close(fd)
        sim_dir = os.path.join(self.work, "sim")
        sim_proc = subprocess.Popen([sys.executable, os.path.join(TOP, "tools", "cloudsim", "cloudsim.py"), "--dir",
                                     sim_dir, "--tenant", "bench", "--client-id", "bench-app",
                                     "--client-secret-file", secret, "--page-size", "200"],
                                    stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.work, "sim.log"), "w"))
        self.procs.append(sim_proc)
        info = simclient.wait_ready(sim_dir, process=sim_proc)
        self.sim = simclient.SimClient(info["base_url"], info["ca"], timeout=120)
        self.sim.call("POST", "/_sim/incidents/bulk", {
            "subscription": SUB, "resourceGroup": RG, "workspace": WS, "count": self.n, "prefix": "bench",
            "properties": {"title": "Bench incident", "severity": "Medium", "status": "New"},
            "alerts": [{"alertDisplayName": "Bench alert", "productName": "Azure Sentinel"}],  # 1 alert, 2 entities
            "entities": [{"kind": "Host", "properties": {"hostName": "HOST-7"}},
                         {"kind": "Account", "properties": {"accountName": "alice"}}]})
        self.sim_pid = sim_proc.pid
        self.created_at = time.monotonic()

        port = free_port()
        conf = os.path.join(self.work, "mosquitto.conf")
        with open(conf, "w") as f:
            # max_queued_messages 0: no limit on what mosquitto queues for a subscriber that falls behind. At its
            # default (1000) a burst of 10,000 alarm states outruns the subscriber below and mosquitto drops the
            # excess for it (the retained states stay right); docs/mqtt.md tells operators of large walls the same.
            f.write("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 0\n" % port)
        self.procs.append(subprocess.Popen(["mosquitto", "-c", conf], stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL))
        # A subscriber as Home Assistant or Node-RED has one: every message, stamped on arrival (Unix time with
        # nanoseconds, topic, payload length), so the bench sees when each alarm state reached MQTT.
        self.mqtt_log = os.path.join(self.work, "mqtt.log")
        wait_for_port(port)
        self.procs.append(subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-q", "1", "-t", "#",
                                            "-F", "%U %t %l"], stdout=open(self.mqtt_log, "w"),
                                           stderr=subprocess.DEVNULL))
        self.sock = os.path.join(self.work, "ctl.sock")
        config = {
            "box": {"id": "bench"},
            "cloud": {"tenant_id": "bench", "client_id": "bench-app", "client_secret_file": secret,
                      "authority_url": info["base_url"], "ca_bundle": info["ca"], "read_timeout_s": 120,
                      # The simulator serves every API from one host, which would otherwise get the
                      # budget of an unknown host (120/min) and stretch the initial poll to minutes.
                      "budget_per_minute": {"127.0.0.1": self.args.budget}},
            "sentinel": {"enabled": True, "arm_url": info["base_url"], "subscription_id": SUB, "resource_group": RG,
                         "workspace": WS, "poll_interval_s": self.args.interval, "page_size": 1000,
                         "overlap_s": OVERLAP_S},
            "mqtt": {"uri": "tcp://127.0.0.1:%d" % port},
            "store": {"path": os.path.join(self.work, "db.sqlite")},
            "control": {"socket": self.sock},
            "log": {"level": "warn"},
            "outputs": json.loads(self.args.outputs),
        }
        config_path = os.path.join(self.work, "config.json")
        with open(config_path, "w") as f:
            json.dump(config, f)
        self.started_wall = time.time()
        self.daemon = subprocess.Popen([os.path.join(self.build, "sirenboxd"), "--config", config_path],
                                       stdout=subprocess.DEVNULL,
                                       stderr=open(os.path.join(self.work, "daemon.log"), "w"))
        self.procs.append(self.daemon)
        self.peer = None
        if self.args.peer:
            peer_config = os.path.join(self.work, "peer.json")
            with open(peer_config, "w") as f:
                json.dump({"authority_url": info["base_url"], "tenant_id": "bench", "client_id": "bench-app",
                           "client_secret_file": secret, "ca_bundle": info["ca"], "arm_url": info["base_url"],
                           "subscription_id": SUB, "resource_group": RG, "workspace": WS,
                           "interval_s": self.args.interval, "overlap_s": OVERLAP_S, "page_size": 1000,
                           "mqtt_host": "127.0.0.1", "mqtt_port": port, "base_topic": "peer"}, f)
            self.peer = subprocess.Popen(["/usr/bin/python3", os.path.join(TOP, "tools", "bench", "peer",
                                                                            "sentinel_mqtt.py"), "--config", peer_config],
                                         stdout=subprocess.DEVNULL,
                                         stderr=open(os.path.join(self.work, "peer.log"), "w"))
            self.procs.append(self.peer)

    def status(self):
        out = subprocess.run([os.path.join(self.build, "sirenboxctl"), "--socket", self.sock, "--json", "status"],
                             capture_output=True, text=True)
        return json.loads(out.stdout) if out.returncode == 0 else None

    def wait_for(self, t0, done, what):
        """Seconds from t0 until done(status) holds, asking every 0.2 s (at most 900 s)."""
        while time.monotonic() < t0 + 900:
            s = self.status()
            if s and done(s):
                return time.monotonic() - t0, s
            time.sleep(0.2)
        raise SystemExit("bench: %s did not happen within 900 s; see %s" % (what, self.work))

    def measure(self):
        t0 = time.monotonic()  # the daemon was just started
        first, _ = self.wait_for(t0, lambda s: len(s["alarms"]) > 0, "a first alarm")
        seconds, s = self.wait_for(t0, lambda s: len(s["alarms"]) == self.n, "%d alarms" % self.n)
        initial = {"first": first, "seconds": seconds, "cpu": cpu_seconds(self.daemon.pid),
                   "requests": s["network"]["requests"] if "network" in s else None}
        initial["mqtt_first"], initial["mqtt_all"] = self.wait_for_mqtt(t0)
        # The alerts and entities follow the alarms (show first, enrich after): until the simulator was asked for
        # every incident's entities (the second of its two detail requests).
        def entities_read(_status):
            return sum(1 for e in self.sim.requests() if e["path"].endswith("/entities")) >= self.n
        initial["enriched"], _ = self.wait_for(t0, entities_read, "every incident's alerts and entities read")
        # The bulk creation is one burst of N changes; a poll lists what changed within overlap_s of its window's
        # start, so the burst is listed again until it is older than the overlap. Wait for that.
        time.sleep(max(0.0, self.created_at + OVERLAP_S + self.args.interval + 1 - time.monotonic()))
        if self.args.idle_after_burst:
            # Nothing changes: the burst stays the newest change (before the watermark followed the listing's
            # time, every poll listed the whole burst again, for as long as nothing else changed).
            return self.measure_window(initial, change=False)
        # Steady state with a trickle; one warm-up change first.
        self.sim.call("PATCH", "/_sim/incidents/bench-00001", {"properties": {"title": "warm-up"}})
        # A poll still re-reading the burst can take seconds with 10,000 incidents: measure only once
        # the warm-up change is on the box, and one more poll has passed.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            s = self.status()
            if s and any(a["key"] == "sentinel:bench-00001" and a["title"] == "warm-up" for a in s["alarms"]):
                break
            time.sleep(0.5)
        time.sleep(self.args.interval * 2 + 1)
        return self.measure_window(initial, change=True)

    def alarm_arrivals(self):
        """Unix time at which each alarm topic first carried a state, by topic."""
        arrivals = {}
        with open(self.mqtt_log) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3 and "/alarms/" in parts[1] and parts[2] != "0":
                    arrivals.setdefault(parts[1], float(parts[0]))
        return arrivals

    def wait_for_mqtt(self, t0):
        """Seconds after the daemon's start until the first alarm state, and until every one, reached the
        subscriber."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            arrivals = self.alarm_arrivals()
            if len(arrivals) >= self.n:
                times = sorted(arrivals.values())
                return times[0] - self.started_wall, times[self.n - 1] - self.started_wall
            time.sleep(0.2)
        arrivals = self.alarm_arrivals()
        print("bench: only %d of %d alarm states reached the subscriber within 120 s after every alarm was up"
              % (len(arrivals), self.n), file=sys.stderr)
        return (min(arrivals.values()) - self.started_wall if arrivals else None), None

    def measure_window(self, initial, change):
        """The figures of one window of args.seconds: with `change`, one incident changed every
        args.change_every seconds; without, nothing changes (idle polls, the burst still the newest change)."""
        self.sim.clear_requests()
        start_status = self.status()
        start_cpu = cpu_seconds(self.daemon.pid)
        peer_start_cpu = cpu_seconds(self.peer.pid) if self.peer else 0
        start = time.monotonic()
        changes = 0
        while time.monotonic() - start < self.args.seconds:
            time.sleep(self.args.change_every if change else self.args.seconds)
            if not change:
                break
            name = "bench-%05d" % (1 + (changes * 7919) % self.n)
            self.sim.call("PATCH", "/_sim/incidents/" + name,
                          {"properties": {"title": "Bench incident changed %d" % changes}})
            changes += 1
        time.sleep(self.args.interval)  # let the last change be polled
        end_cpu = cpu_seconds(self.daemon.pid)
        peer_cpu = cpu_seconds(self.peer.pid) - peer_start_cpu if self.peer else None
        elapsed = time.monotonic() - start
        end_status = self.status()
        mem = memory_kib(self.daemon.pid)
        sim_mem = memory_kib(self.sim_pid)
        peer_mem = memory_kib(self.peer.pid) if self.peer else {}
        if self.args.memory_map:
            print("daemon memory by mapping, %d open incidents (kB): resident / proportional / private" % self.n,
                  file=sys.stderr)
            for name, kb in memory_map(self.daemon.pid):
                if kb["Rss"] >= 64:
                    print("  %-40s %7d %7d %7d" % (name, kb["Rss"], kb["Pss"], kb["Private"]), file=sys.stderr)
        kinds = {"list": 0, "page": 0, "details": 0, "other": 0}
        for entry in self.sim.requests():
            kinds[classify(entry)] += 1
        polls = max(kinds["list"], 1)
        net0, net1 = start_status["network"], end_status["network"]
        return {
            "n": self.n, "changes": changes, "elapsed": elapsed, "polls": kinds["list"], "initial": initial,
            "requests_per_poll": (net1["requests"] - net0["requests"]) / polls,
            "pages_per_poll": (kinds["list"] + kinds["page"]) / polls,
            "details_per_poll": kinds["details"] / polls,
            "details_per_change": kinds["details"] / max(changes, 1),
            "received_per_poll": (net1["bytes_received"] - net0["bytes_received"]) / polls,
            "sent_per_poll": (net1["bytes_sent"] - net0["bytes_sent"]) / polls,
            "cpu_ms_per_poll": (end_cpu - start_cpu) * 1000 / polls,
            "cpu_s_per_minute": (end_cpu - start_cpu) * 60 / elapsed,
            "pss_mb": mem.get("Pss", 0) / 1024, "private_mb": mem.get("Private", 0) / 1024,
            "handshakes": net1["handshakes"] - net0["handshakes"],
            "rss_mb": mem["VmRSS"] / 1024, "peak_mb": mem["VmHWM"] / 1024, "sim_rss_mb": sim_mem["VmRSS"] / 1024,
            "peer_cpu_s_per_minute": peer_cpu * 60 / elapsed if self.peer else None,
            "peer_rss_mb": peer_mem.get("VmRSS", 0) / 1024, "peer_pss_mb": peer_mem.get("Pss", 0) / 1024,
            "peer_private_mb": peer_mem.get("Private", 0) / 1024,
        }

    def stop(self):
        for p in reversed(self.procs):
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(self.work, ignore_errors=True)


def seconds(value, form):
    return "not all" if value is None else form % value


def report(results, args):
    if args.idle_after_burst:
        print("sirenboxd polling Sentinel: poll every %d s, nothing changed since the initial burst, %d s window"
              % (args.interval, args.seconds))
    else:
        print("sirenboxd polling Sentinel: poll every %d s, one incident changed every %d s, %d s window"
              % (args.interval, args.change_every, args.seconds))
    print()
    rows = [
        ("open incidents", lambda r: "%d" % r["n"]),
        ("initial poll: first alarm", lambda r: "%.1f s" % r["initial"]["first"]),
        ("initial poll: time to raise all", lambda r: "%.1f s" % r["initial"]["seconds"]),
        ("initial poll: first alarm on MQTT", lambda r: seconds(r["initial"]["mqtt_first"], "%.1f s")),
        ("initial poll: all alarms on MQTT", lambda r: seconds(r["initial"]["mqtt_all"], "%.1f s")),
        ("  first to last alarm on MQTT",
         lambda r: seconds(r["initial"]["mqtt_all"] and r["initial"]["mqtt_all"] - r["initial"]["mqtt_first"],
                           "%.2f s")),
        ("initial poll: all details read", lambda r: "%.1f s" % r["initial"]["enriched"]),
        ("initial poll: daemon CPU", lambda r: "%.2f s" % r["initial"]["cpu"]),
        ("initial poll: requests", lambda r: "%s" % r["initial"]["requests"]),
        ("polls in window / changes", lambda r: "%d / %d" % (r["polls"], r["changes"])),
        ("requests per poll", lambda r: "%.2f" % r["requests_per_poll"]),
        ("  list pages per poll", lambda r: "%.2f" % r["pages_per_poll"]),
        ("  alert+entity reads per poll", lambda r: "%.2f" % r["details_per_poll"]),
        ("  alert+entity reads per change", lambda r: "%.2f" % r["details_per_change"]),
        ("bytes received per poll", lambda r: "%.0f" % r["received_per_poll"]),
        ("bytes sent per poll", lambda r: "%.0f" % r["sent_per_poll"]),
        ("CPU time per poll", lambda r: "%.2f ms" % r["cpu_ms_per_poll"]),
        ("CPU time per minute", lambda r: "%.3f s" % r["cpu_s_per_minute"]),
        ("TLS handshakes in window", lambda r: "%d" % r["handshakes"]),
        ("daemon resident memory (peak)", lambda r: "%.1f MB (%.1f MB)" % (r["rss_mb"], r["peak_mb"])),
        ("  proportional / private", lambda r: "%.1f MB / %.1f MB" % (r["pss_mb"], r["private_mb"])),
        ("simulator resident memory", lambda r: "%.0f MB" % r["sim_rss_mb"]),
    ]
    if args.peer:
        rows += [
            ("peer (Python): CPU time per minute", lambda r: "%.3f s" % r["peer_cpu_s_per_minute"]),
            ("  peer / daemon CPU", lambda r: "%.1fx" % (r["peer_cpu_s_per_minute"] / max(r["cpu_s_per_minute"], 1e-9))),
            ("peer resident memory", lambda r: "%.1f MB" % r["peer_rss_mb"]),
            ("  proportional / private", lambda r: "%.1f MB / %.1f MB" % (r["peer_pss_mb"], r["peer_private_mb"])),
        ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print("  %-*s  %s" % (width, label, "  ".join("%18s" % value(r) for r in results)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--incidents", default="1000,10000", help="comma-separated sizes")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--interval", type=int, default=2)
    ap.add_argument("--change-every", type=int, default=2)
    ap.add_argument("--idle-after-burst", action="store_true",
                    help="measure with nothing changing once the burst is older than the overlap: the bulk creation "
                         "(one burst of N changes) stays the newest change (issue 15, idle polls)")
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--budget", type=int, default=6000,
                    help="requests a minute the box allows itself to the simulator's host (cloud.budget_per_minute); "
                         "120 is what an unknown host gets")
    ap.add_argument("--peer", action="store_true",
                    help="run the Python peer (tools/bench/peer/sentinel_mqtt.py) against the same simulator and broker, "
                         "and print its CPU and memory beside the daemon's")
    ap.add_argument("--memory-map", action="store_true",
                    help="print the daemon's resident memory by mapping (libraries, heap, stacks) at the window's end")
    ap.add_argument("--outputs", default="{}",
                    help='JSON merged into the daemon\'s "outputs" section, e.g. \'{"unacked_pattern": "steady"}\'')
    args = ap.parse_args()
    results = []
    for n in [int(x) for x in args.incidents.split(",")]:
        run = Run(args, n, args.build)
        try:
            run.start()
            results.append(run.measure())
        finally:
            run.stop()
        print("measured %d open incidents" % n, file=sys.stderr)
    report(results, args)


if __name__ == "__main__":
    main()
