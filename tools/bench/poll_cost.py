#!/usr/bin/env python3
"""Steady-state cost of sirenboxd polling Sentinel: CPU, memory, requests, bytes and TLS handshakes.

Starts the cloud simulator with N open incidents, a private mosquitto and sirenboxd (release build,
simulated board) polling every INTERVAL seconds; waits until every incident is an alarm; then measures
a window of SECONDS with a trickle of changes (one incident changed every 10 s) and prints the figures.
Run after building: cmake --build build --target sirenboxd sirenboxctl.

  tools/bench/poll_cost.py [--incidents 300] [--seconds 60] [--interval 5]
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
BUILD = os.path.join(TOP, "build")
sys.path.insert(0, os.path.join(TOP, "tools", "cloudsim"))
import simclient  # noqa: E402

SUB, RG, WS = "00000000-0000-0000-0000-0000000000b1", "bench-rg", "bench-ws"
TICK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    return values


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--incidents", type=int, default=300)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--interval", type=int, default=5)
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="sirenbox-bench-")
    procs = []
    try:
        secret = os.path.join(work, "secret")
        fd = os.open(secret, os.O_WRONLY | os.O_CREAT, 0o600)
        os.write(fd, b"bench-client-secret\n")
        os.close(fd)
        sim_dir = os.path.join(work, "sim")
        sim_proc = subprocess.Popen([sys.executable, os.path.join(TOP, "tools", "cloudsim", "cloudsim.py"), "--dir",
                                     sim_dir, "--tenant", "bench", "--client-id", "bench-app",
                                     "--client-secret-file", secret, "--page-size", "200"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(sim_proc)
        info = simclient.wait_ready(sim_dir, process=sim_proc)
        sim = simclient.SimClient(info["base_url"], info["ca"])
        names = []
        for i in range(args.incidents):
            severity = ["High", "Medium", "Low", "Informational"][i % 4]
            inc = sim.call("POST", "/_sim/incidents", {"subscription": SUB, "resourceGroup": RG, "workspace": WS,
                                                       "properties": {"title": "Bench incident %d" % i,
                                                                      "severity": severity,
                                                                      "status": "New" if i % 3 else "Active"}})
            names.append(inc["name"])

        port = free_port()
        conf = os.path.join(work, "mosquitto.conf")
        with open(conf, "w") as f:
            f.write("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n" % port)
        procs.append(subprocess.Popen(["mosquitto", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

        sock = os.path.join(work, "ctl.sock")
        config = {
            "box": {"id": "bench"},
            "cloud": {"tenant_id": "bench", "client_id": "bench-app", "client_secret_file": secret,
                      "authority_url": info["base_url"], "ca_bundle": info["ca"]},
            "sentinel": {"enabled": True, "arm_url": info["base_url"], "subscription_id": SUB, "resource_group": RG,
                         "workspace": WS, "poll_interval_s": args.interval},
            "mqtt": {"uri": "tcp://127.0.0.1:%d" % port},
            "store": {"path": os.path.join(work, "db.sqlite")},
            "control": {"socket": sock},
            "log": {"level": "warn"},
        }
        config_path = os.path.join(work, "config.json")
        with open(config_path, "w") as f:
            json.dump(config, f)
        daemon = subprocess.Popen([os.path.join(BUILD, "sirenboxd"), "--config", config_path],
                                  stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "daemon.log"), "w"))
        procs.append(daemon)

        def status():
            out = subprocess.run([os.path.join(BUILD, "sirenboxctl"), "--socket", sock, "--json", "status"],
                                 capture_output=True, text=True)
            return json.loads(out.stdout) if out.returncode == 0 else None

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            s = status()
            if s and len(s["alarms"]) == args.incidents:
                break
            time.sleep(0.5)
        else:
            raise SystemExit("bench: the daemon did not raise %d alarms; see %s" % (args.incidents, work))
        # Let one poll with the full 24 h answer pass (the first poll after the look-back one).
        time.sleep(args.interval * 2 + 1)

        start_status, start_cpu = status(), cpu_seconds(daemon.pid)
        start = time.monotonic()
        changes = 0
        while time.monotonic() - start < args.seconds:
            time.sleep(10)
            sim.call("PATCH", "/_sim/incidents/" + names[changes % len(names)],
                     {"properties": {"title": "Bench incident changed %d" % changes}})
            changes += 1
        elapsed = time.monotonic() - start
        end_status, end_cpu, mem = status(), cpu_seconds(daemon.pid), memory_kib(daemon.pid)
        polls = elapsed / args.interval
        net0, net1 = start_status["network"], end_status["network"]
        requests = net1["requests"] - net0["requests"]
        print("sirenboxd polling Sentinel: %d open incidents, poll every %d s, %d changes in %.0f s"
              % (args.incidents, args.interval, changes, elapsed))
        print("  CPU time:          %.3f s per minute" % ((end_cpu - start_cpu) * 60 / elapsed))
        print("  resident memory:   %.1f MB now, %.1f MB peak" % (mem["VmRSS"] / 1024, mem["VmHWM"] / 1024))
        print("  TLS handshakes:    %d in the window (%d since start)" % (net1["handshakes"] - net0["handshakes"],
                                                                          net1["handshakes"]))
        print("  requests per poll: %.2f" % (requests / polls))
        print("  bytes per poll:    %.0f received, %.0f sent" % ((net1["bytes_received"] - net0["bytes_received"]) / polls,
                                                                 (net1["bytes_sent"] - net0["bytes_sent"]) / polls))
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
