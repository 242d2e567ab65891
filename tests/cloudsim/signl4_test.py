"""Integration tests of the simulated SIGNL4 (tools/cloudsim/signl4.py) on the real simulator process."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))

from cloudsim_test import SimTestCase  # noqa: E402

API_KEY = "cloudsim-signl4-api-key"
TEAM_SECRET = "cloudsim-team-secret"
KEY = {"X-S4-Api-Key": API_KEY}


class Signl4Test(SimTestCase):
    def paged(self, body=None, max_results=100, headers=KEY):
        return self.call("POST", "/api/alerts/paged", {"maxResults": str(max_results)}, body or {}, headers)

    def hook(self, body, secret=TEAM_SECRET):
        return self.call("POST", "/webhook/" + secret, body=body)

    def create(self, **fields):
        return self.sim.call("POST", "/_sim/signl4/alerts", fields)

    def test_paged_needs_the_api_key(self):
        self.assertEqual(self.paged(headers={}).status, 401)
        reply = self.paged(headers={"X-S4-Api-Key": "wrong"})
        self.assertEqual(reply.status, 401)
        self.assertIn("message", reply.json)
        self.assertEqual(self.paged().status, 204)  # nothing yet

    def test_webhook_raises_an_alert_answered_by_its_event_id_in_the_contracts_shapes(self):
        reply = self.hook({"Title": "Ransomware on HOST-7", "Message": "Severity High",
                           "X-S4-ExternalID": "sentinel:abc", "X-S4-Status": "new",
                           "X-S4-SourceSystem": "sirenbox", "X-S4-AlertingScenario": "single_ack"})
        self.assertEqual(reply.status, 201, reply.raw)
        self.assertTrue(reply.json["eventId"])
        page = self.paged()
        self.assertEqual(page.status, 200, page.raw)
        [alert] = page.json["results"]
        # OverviewAlert: the webhook's eventId, `status`, `historyDetailed`; no external id, no statusCode.
        self.assertEqual(alert["eventId"], reply.json["eventId"])
        self.assertEqual(alert["status"], 1)
        self.assertIn("created", alert["historyDetailed"])
        for absent in ("externalEventId", "externalId", "statusCode", "history", "severity"):
            self.assertNotIn(absent, alert)
        self.assertEqual(alert["title"], "Ransomware on HOST-7")
        self.assertEqual(alert["text"], "Severity High")
        self.assertFalse(page.json["hasMore"])
        self.assertIsNone(page.json["continuationToken"])
        got = self.call("GET", "/api/alerts/" + alert["id"], headers=KEY)
        # AlertInfo: `history`, the eventId; no external id.
        self.assertEqual(got.json["eventId"], reply.json["eventId"])
        self.assertIn("created", got.json["history"])
        self.assertNotIn("externalEventId", got.json)
        # The control API shows the outbound webhook's names.
        [seen] = self.sim.call("GET", "/_sim/signl4/alerts")["alerts"]
        self.assertEqual((seen["externalEventId"], seen["statusCode"]), ("sentinel:abc", 1))

    def test_webhook_with_a_wrong_secret_is_refused_and_the_secret_stays_out_of_the_log(self):
        self.assertEqual(self.hook({"Title": "x"}, secret="nope").status, 404)
        self.assertEqual(self.hook({"Title": "x"}).status, 201)
        paths = [r["path"] for r in self.sim.requests()]
        self.assertTrue(paths)
        self.assertTrue(all(TEAM_SECRET not in p and "nope" not in p for p in paths), paths)
        self.paged()
        headers = [r["headers"] for r in self.sim.requests()]
        self.assertNotIn(API_KEY, repr(headers))

    def test_webhook_status_updates_act_on_alerts_of_that_external_id(self):
        self.hook({"Title": "A", "X-S4-ExternalID": "sentinel:1"})
        self.hook({"Title": "B", "X-S4-ExternalID": "sentinel:2"})
        self.hook({"X-S4-ExternalID": "sentinel:1", "X-S4-Status": "acknowledged"})
        by_ext = {a["externalEventId"]: a for a in self.sim.call("GET", "/_sim/signl4/alerts")["alerts"]}
        self.assertEqual(by_ext["sentinel:1"]["statusCode"], 2)
        self.assertEqual(by_ext["sentinel:2"]["statusCode"], 1)
        self.hook({"X-S4-ExternalID": "sentinel:1", "X-S4-Status": "resolved"})
        self.hook({"X-S4-ExternalID": "sentinel:2", "X-S4-Status": "ignored"})  # discarded
        by_ext = {a["externalEventId"]: a for a in self.sim.call("GET", "/_sim/signl4/alerts")["alerts"]}
        self.assertEqual(by_ext["sentinel:1"]["statusCode"], 4)
        self.assertEqual(by_ext["sentinel:2"]["statusCode"], 1)
        self.assertEqual(len(by_ext), 2)

    def test_acknowledge_and_close_in_the_app_move_last_modified(self):
        alert = self.create(title="Pump 3 pressure")
        acked = self.sim.call("POST", "/_sim/signl4/alerts/%s/acknowledge" % alert["id"], {})
        self.assertEqual(acked["statusCode"], 2)
        self.assertGreater(acked["lastModified"], alert["lastModified"])
        page = self.paged({"modifiedSince": acked["lastModified"]})
        self.assertEqual([a["id"] for a in page.json["results"]], [alert["id"]])
        closed = self.sim.call("POST", "/_sim/signl4/alerts/%s/close" % alert["id"], {})
        self.assertEqual(closed["statusCode"], 4)
        self.assertIsNotNone(closed["history"]["closed"])
        self.assertEqual(self.paged({"modifiedSince": "2999-01-01T00:00:00Z"}).status, 204)

    def test_rest_acknowledge_and_close(self):
        alert = self.create(title="Door open")
        reply = self.call("POST", "/api/alerts/%s/acknowledge" % alert["id"], body={"userId": "u1"}, headers=KEY)
        self.assertEqual((reply.status, reply.json["status"]), (200, 2))
        reply = self.call("POST", "/api/alerts/%s/close" % alert["id"], body={"userId": "u1"}, headers=KEY)
        self.assertEqual((reply.status, reply.json["status"]), (200, 4))
        reply = self.call("POST", "/api/alerts/%s/acknowledge" % alert["id"], body={}, headers=KEY)
        self.assertEqual(reply.status, 409)
        self.assertEqual(self.call("GET", "/api/alerts/nope", headers=KEY).status, 404)
        self.assertEqual(self.call("GET", "/api/alerts/%s" % alert["id"]).status, 401)

    def test_annotate_adds_a_text_annotation_that_get_returns(self):
        alert = self.create(title="t", externalEventId="sentinel:9")
        path = "/api/alerts/%s/annotate" % alert["id"]
        reply = self.call("POST", path, body={"annotationType": 1, "text": "Acknowledged at box"}, headers=KEY)
        self.assertEqual(reply.status, 200, reply.raw)
        self.assertEqual(reply.json["text"], "Acknowledged at box")
        got = self.call("GET", "/api/alerts/" + alert["id"], headers=KEY)
        self.assertEqual([a["text"] for a in got.json["annotations"]], ["Acknowledged at box"])
        self.assertEqual(self.call("POST", path, body={"annotationType": 1}, headers=KEY).status, 400)
        self.assertEqual(self.call("POST", "/api/alerts/nope/annotate", body={"text": "x"}, headers=KEY).status,
                         404)
        self.assertEqual(self.call("POST", path, body={"text": "x"}).status, 401)

    def test_app_users_annotate_acknowledge_and_close_as_the_contract_names_them(self):
        alert = self.create(title="Pump 3 pressure")
        base = "/_sim/signl4/alerts/" + alert["id"]
        note = self.sim.call("POST", base + "/annotate", {"user": "u-anna", "text": "On my way"})
        # AlertAnnotationInfo: id, annotationType, text, timestamp, userId.
        self.assertEqual(sorted(note), ["annotationType", "id", "text", "timestamp", "userId"])
        self.assertEqual((note["userId"], note["annotationType"]), ("u-anna", 1))
        self.sim.call("POST", base + "/acknowledge", {"user": "u-anna"})
        self.sim.call("POST", base + "/close", {"user": "u-ben"})
        [listed] = self.paged().json["results"]
        self.assertEqual(listed["annotations"], [note])
        self.assertEqual(listed["historyDetailed"]["acknowledgedgements"], ["u-anna"])
        self.assertEqual(listed["historyDetailed"]["closedBy"], "u-ben")
        got = self.call("GET", "/api/alerts/" + alert["id"], headers=KEY).json
        self.assertEqual(got["history"]["acknowledgedgements"], ["u-anna"])
        self.assertEqual(got["annotations"], [note])
        with self.assertRaises(Exception):
            self.sim.call("POST", base + "/annotate", {"user": "u-anna"})

    def test_annotation_faults_drop_ids_and_keep_last_modified(self):
        alert = self.create(title="Door open")
        base = "/_sim/signl4/alerts/" + alert["id"]
        self.sim.call("POST", "/_sim/signl4/config", {"annotation_fault": "quiet"})
        self.sim.call("POST", base + "/annotate", {"user": "u1", "text": "quiet note"})
        self.assertEqual(self.sim.call("GET", base)["lastModified"], alert["lastModified"])
        self.sim.call("POST", "/_sim/signl4/config", {"annotation_fault": "no_id"})
        [listed] = self.paged().json["results"]
        self.assertNotIn("id", listed["annotations"][0])
        self.assertEqual(listed["annotations"][0]["text"], "quiet note")
        self.sim.call("POST", "/_sim/signl4/config", {"annotation_fault": None})
        self.assertIn("id", self.paged().json["results"][0]["annotations"][0])

    def test_paging_with_continuation_tokens_has_no_gaps_or_duplicates(self):
        ids = [self.create(title="A%d" % i)["id"] for i in range(7)]
        seen, token, pages = [], None, 0
        while True:
            body = {"continuationToken": token} if token else {}
            reply = self.paged(body, max_results=3)
            self.assertEqual(reply.status, 200, reply.raw)
            pages += 1
            seen += [a["id"] for a in reply.json["results"]]
            token = reply.json["continuationToken"]
            if not reply.json["hasMore"]:
                break
        self.assertEqual(pages, 3)
        self.assertEqual(sorted(seen), sorted(ids))
        self.assertEqual(len(seen), len(set(seen)))
        self.assertEqual(self.paged(max_results=101).status, 400)
        self.assertEqual(self.paged({"modifiedSince": "yesterday"}).status, 400)

    def test_other_status_codes_and_faults_for_the_box_tests(self):
        odd = self.create(title="Odd", statusCode=16)
        self.assertEqual(self.paged().json["results"][0]["status"], 16)
        self.sim.call("POST", "/_sim/signl4/config", {"paged_fault": "html"})
        reply = self.paged()
        self.assertEqual(reply.status, 200)
        self.assertIn("text/html", reply.headers["Content-Type"])
        self.assertEqual(self.paged().json["results"][0]["id"], odd["id"])  # the fault was once
        with self.assertRaises(Exception):
            self.sim.call("POST", "/_sim/signl4/config", {"colour": "red"})

    def test_config_changes_the_key_secret_and_team(self):
        self.sim.call("POST", "/_sim/signl4/config", {"api_key": "k2", "team_secret": "s2", "team_id": "t2"})
        self.assertEqual(self.paged().status, 401)
        self.assertEqual(self.paged(headers={"X-S4-Api-Key": "k2"}).status, 204)
        self.assertEqual(self.hook({"Title": "x"}).status, 404)
        self.assertEqual(self.hook({"Title": "x"}, secret="s2").status, 201)
        page = self.paged({"teamId": "t2"}, headers={"X-S4-Api-Key": "k2"})
        self.assertEqual(page.json["results"][0]["teamId"], "t2")


if __name__ == "__main__":
    unittest.main()
