#!/usr/bin/python3
"""The peer the benchmarks compare sirenboxd with: a typical Python integration doing the same Sentinel job.

It does what such scripts do, with the libraries they use (requests, paho-mqtt; Debian's python3-requests and
python3-paho-mqtt, hence /usr/bin/python3): a client-credentials token from Entra ID, kept until shortly before
it expires; every INTERVAL seconds the incidents changed since the newest lastModifiedTimeUtc seen less an
overlap, following nextLink; each open incident (New, Active) published retained as JSON on
<base>/alarms/sentinel/<name>, a closed one cleared. No lamps, no store, no write-back: less work than the box
does, so the comparison flatters the peer.

  sentinel_mqtt.py --config FILE
FILE is JSON: {"authority_url", "tenant_id", "client_id", "client_secret_file", "ca_bundle", "arm_url",
"subscription_id", "resource_group", "workspace", "interval_s", "overlap_s", "page_size", "mqtt_host",
"mqtt_port", "base_topic"}. Runs until SIGTERM.
"""
import argparse
import datetime
import json
import signal
import sys
import time

import paho.mqtt.client as mqtt
import requests

API_VERSION = "2025-12-01"
OPEN = ("New", "Active")


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Peer:
    def __init__(self, config):
        self.c = config
        self.http = requests.Session()
        self.http.verify = config["ca_bundle"]
        with open(config["client_secret_file"]) as f:
            self.secret = f.read().strip()
        self.token, self.token_expires = None, 0.0
        self.watermark = None
        self.mqtt = mqtt.Client(client_id="peer-" + config["base_topic"].replace("/", "-"), clean_session=True)
        self.mqtt.connect(config["mqtt_host"], config["mqtt_port"], keepalive=30)
        self.mqtt.loop_start()

    def bearer(self):
        if self.token is None or time.time() > self.token_expires - 300:
            r = self.http.post("%s/%s/oauth2/v2.0/token" % (self.c["authority_url"], self.c["tenant_id"]), data={
                "grant_type": "client_credentials", "client_id": self.c["client_id"], "client_secret": self.secret,
                "scope": self.c["arm_url"].rstrip("/") + "/.default"}, timeout=30)
            r.raise_for_status()
            body = r.json()
            self.token, self.token_expires = body["access_token"], time.time() + int(body["expires_in"])
        return {"Authorization": "Bearer " + self.token}

    def poll(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        since = (self.watermark or now - datetime.timedelta(days=1)) - datetime.timedelta(seconds=self.c["overlap_s"])
        url = "%s/subscriptions/%s/resourceGroups/%s/providers/Microsoft.OperationalInsights/workspaces/%s/providers/" \
              "Microsoft.SecurityInsights/incidents" % (self.c["arm_url"], self.c["subscription_id"],
                                                        self.c["resource_group"], self.c["workspace"])
        params = {"api-version": API_VERSION, "$top": self.c["page_size"],
                  "$filter": "properties/lastModifiedTimeUtc gt %s" % iso(since),
                  "$orderby": "properties/lastModifiedTimeUtc asc"}
        newest = self.watermark
        while url:
            r = self.http.get(url, params=params, headers=self.bearer(), timeout=60)
            r.raise_for_status()
            page = r.json()
            for incident in page.get("value", []):
                props = incident["properties"]
                modified = datetime.datetime.fromisoformat(props["lastModifiedTimeUtc"].replace("Z", "+00:00"))
                newest = max(newest, modified) if newest else modified
                topic = "%s/alarms/sentinel/%s" % (self.c["base_topic"], incident["name"])
                if props.get("status") in OPEN:
                    payload = json.dumps({"id": incident["name"], "title": props.get("title"),
                                          "severity": props.get("severity"), "status": props.get("status"),
                                          "number": props.get("incidentNumber"), "url": props.get("incidentUrl"),
                                          "updated": props["lastModifiedTimeUtc"]})
                    self.mqtt.publish(topic, payload, qos=1, retain=True)
                else:
                    self.mqtt.publish(topic, b"", qos=1, retain=True)
            url, params = page.get("nextLink"), None
        self.watermark = newest

    def run(self):
        try:
            while True:
                started = time.monotonic()
                try:
                    self.poll()
                except (requests.RequestException, ValueError, KeyError) as e:
                    print("peer: poll failed: %s" % e, file=sys.stderr)
                time.sleep(max(0.0, self.c["interval_s"] - (time.monotonic() - started)))
        finally:
            self.mqtt.loop_stop()
            self.mqtt.disconnect()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True)
    with open(ap.parse_args().config) as f:
        config = json.load(f)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    Peer(config).run()


if __name__ == "__main__":
    main()
