#!/usr/bin/env python3
"""cloudsim: a local HTTPS stand-in for the Microsoft cloud APIs sirenbox talks to.

    python3 tools/cloudsim/cloudsim.py --dir DIR [--port 0] [--tenant T] [--client-id ID]
        [--client-secret-file FILE] [--client-certificate-file PEM ...] [--page-size 50]
        [--token-lifetime 3599] [--verbose]

Makes DIR/ca.pem and a server certificate, serves HTTPS on 127.0.0.1 and then writes
DIR/ready.json {"port", "base_url", "ca", "pid", "control_url"}. Stops cleanly on SIGTERM / SIGINT.
"""

import argparse
import json
import os
import signal
import sys
import threading

import certs
import recording
import state as state_mod
from control import Control
from entra import Entra
from faults import FaultBoard
from graph import Graph
from graph_incidents import GraphIncidents
from incidents import IncidentStore
from loganalytics import LogAnalytics
from sentinel import Sentinel, SentinelControl
from signl4 import Signl4
from server import SimServer, make_ssl_context


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Local simulator of Entra ID and Sentinel (HTTPS).")
    parser.add_argument("--dir", required=True, help="directory for certificates and ready.json")
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0 = pick a free one)")
    parser.add_argument("--tenant", default=state_mod.DEFAULT_TENANT)
    parser.add_argument("--client-id", default=state_mod.DEFAULT_CLIENT_ID)
    parser.add_argument("--client-secret-file", help="file holding the client secret (default: built-in)")
    parser.add_argument("--client-certificate-file", action="append", default=[],
                        help="PEM certificate registered on the app: client assertions signed with its key are "
                             "accepted (repeatable)")
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument("--token-lifetime", type=int, default=3599)
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    if not 1 <= args.page_size <= 1000:
        parser.error("--page-size must be between 1 and 1000")
    if args.token_lifetime < 1:
        parser.error("--token-lifetime must be at least 1")
    return args


def read_secret(path):
    if not path:
        return state_mod.DEFAULT_CLIENT_SECRET
    with open(path, encoding="utf-8") as f:
        secret = f.read().strip()
    if not secret:
        raise SystemExit("cloudsim: %s: the client secret file is empty" % path)
    return secret


def write_ready(directory, info):
    path = os.path.join(directory, "ready.json")
    tmp = path + ".tmp.%d" % os.getpid()
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(info, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return path


def build_services(sim, store):
    """Services in the order they are asked. Later APIs (Graph alerts_v2 and incidents, Log Analytics,
    SIGNL4) slot in here. The fault switchboard (faults.py) sits in front of all of them in the server."""
    graph = Graph(sim)
    # GraphIncidents shares Graph's AlertStore and goes first: Graph's control side claims all of /_sim/graph/.
    return [GraphIncidents(sim, graph), graph, Signl4(sim), LogAnalytics(sim), SentinelControl(sim, store),
            Control(sim, store), Entra(sim), Sentinel(sim, store)]


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    directory = os.path.abspath(args.dir)
    os.makedirs(directory, exist_ok=True)
    try:  # a ready file left by a crashed run must not announce this one early
        os.unlink(os.path.join(directory, "ready.json"))
    except OSError:
        pass
    certificates = []
    for path in args.client_certificate_file:
        with open(path, encoding="ascii") as f:
            certificates.append(f.read())
    config = state_mod.Config(args.tenant, args.client_id, read_secret(args.client_secret_file),
                              args.page_size, args.token_lifetime, certificates)
    sim = state_mod.SimState(config)
    store = IncidentStore(sim.clock)

    ca_pem, server_pem, server_key = certs.make_certs(directory)
    certificates = certs.make_bad_certs(directory, ca_pem, os.path.join(directory, "ca.key"))
    certificates["good"] = (server_pem, server_key)
    sim.tls = certs.TlsSwitch(make_ssl_context, certificates)
    sim.faults = FaultBoard()

    def on_response(request, response):
        if request.path == "/_sim" or request.path.startswith("/_sim/"):
            return
        sim.stats.add("requests")
        sim.requests.append(recording.entry(request, response))

    server = SimServer(args.port, sim.tls, sim, build_services(sim, store), faults=sim.faults,
                       on_response=on_response, verbose=args.verbose)
    sim.server = server
    # /_sim also on plain HTTP: a test can still reach the switchboard while the TLS switch serves a
    # bad certificate. Only the control service answers there.
    control_server = SimServer(0, None, sim, [s for s in build_services(sim, store) if isinstance(s, Control)],
                               verbose=args.verbose)
    control_url = "http://127.0.0.1:%d" % control_server.server_address[1]
    port = server.server_address[1]
    sim.base_url = "https://127.0.0.1:%d" % port

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
               for s in (server, control_server)]
    for thread in threads:
        thread.start()
    ready = write_ready(directory, {"port": port, "base_url": sim.base_url, "ca": ca_pem, "pid": os.getpid(),
                                    "control_url": control_url})
    sys.stderr.write("cloudsim: listening on %s (ready file %s)\n" % (sim.base_url, ready))
    sys.stderr.flush()

    while not stop.wait(1.0):
        pass
    for s, thread in zip((server, control_server), threads):
        s.shutdown()
        s.server_close()
        thread.join(5)
    try:
        os.unlink(ready)
    except OSError:
        pass
    sys.stderr.write("cloudsim: stopped\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
