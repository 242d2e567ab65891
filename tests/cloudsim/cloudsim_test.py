"""Integration tests of tools/cloudsim: the real simulator process on a free loopback port, spoken to
over HTTPS verified against the CA it made."""

import http.client
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

TOOLS = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "tools", "cloudsim"))
sys.path.insert(0, TOOLS)

from simclient import SimClient, wait_ready  # noqa: E402

TENANT = "0f1e2d3c-4b5a-4978-8877-665544332211"
CLIENT_ID = "11112222-3333-4444-5555-666677778888"
SECRET = "s3cr3t-value~with+odd&chars"
ARM = "https://management.azure.com/.default"
GRAPH = "https://graph.microsoft.com/.default"
API = "2025-12-01"
SUB, RG, WS = "d0cfe6b2-9ac0-4464-9919-dccaee2e48c0", "myRg", "myWorkspace"
PREFIX = ("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.OperationalInsights/workspaces/%s"
          "/providers/Microsoft.SecurityInsights" % (SUB, RG, WS))
JOHN = "2046feea-040d-4a46-9e2b-91c2941bfa70"


class Reply:
    def __init__(self, response, data):
        self.status = response.status
        self.headers = response.headers
        self.version = response.version
        self.raw = data
        try:
            self.json = json.loads(data) if data else None
        except ValueError:
            self.json = None


class SimTestCase(unittest.TestCase):
    page_size = 50

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="cloudsim-test-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        secret_file = os.path.join(self.dir, "secret")
        with open(secret_file, "w", encoding="utf-8") as f:
            f.write(SECRET + "\n")
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        self.log = open(os.path.join(self.dir, "cloudsim.log"), "w+", encoding="utf-8")
        self.addCleanup(self.log.close)
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(TOOLS, "cloudsim.py"), "--dir", self.dir, "--port", "0",
             "--tenant", TENANT, "--client-id", CLIENT_ID, "--client-secret-file", secret_file,
             "--page-size", str(self.page_size)],
            env=env, stdout=subprocess.DEVNULL, stderr=self.log)
        self.addCleanup(self._stop)
        self.info = wait_ready(self.dir, timeout=30, process=self.proc)
        self.context = ssl.create_default_context(cafile=self.info["ca"])
        self.sim = SimClient(self.info["base_url"], self.info["ca"])
        self.addCleanup(self.sim.close)
        self._tokens = {}

    def _stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.seek(0)
        output = self.log.read()
        if "Traceback" in output:  # a simulator bug must fail the test even when the reply looked fine
            self.fail("cloudsim logged an exception:\n" + output)

    # -- helpers --------------------------------------------------------------------------------

    def connect(self, host="127.0.0.1"):
        conn = http.client.HTTPSConnection(host, self.info["port"], context=self.context, timeout=10)
        self.addCleanup(conn.close)
        return conn

    def call(self, method, path, query=None, body=None, headers=None, conn=None, form=None):
        own = conn is None
        conn = conn or self.connect()
        headers = dict(headers or {})
        payload = None
        if form is not None:
            payload = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        target = path + ("?" + urllib.parse.urlencode(query, quote_via=urllib.parse.quote) if query else "")
        conn.request(method, target, body=payload, headers=headers)
        response = conn.getresponse()
        reply = Reply(response, response.read())
        if own:
            conn.close()
        return reply

    def token_request(self, tenant=TENANT, **fields):
        form = {"client_id": CLIENT_ID, "scope": ARM, "client_secret": SECRET, "grant_type": "client_credentials"}
        form.update(fields)
        form = {k: v for k, v in form.items() if v is not None}
        return self.call("POST", "/%s/oauth2/v2.0/token" % tenant, form=form)

    def token(self, scope=ARM):
        if scope not in self._tokens:
            reply = self.token_request(scope=scope)
            self.assertEqual(reply.status, 200, reply.raw)
            self._tokens[scope] = reply.json["access_token"]
        return self._tokens[scope]

    def arm(self, method, path, query=None, body=None, token=None, conn=None, api_version=API):
        query = dict(query or {})
        if api_version is not None:
            query = {"api-version": api_version, **query}
        return self.call(method, PREFIX + path, query, body,
                         {"Authorization": "Bearer " + (token or self.token())}, conn)

    def create(self, **props):
        props.setdefault("title", "Incident")
        return self.sim.create_incident(props, subscription=SUB, resource_group=RG, workspace=WS)

    def list_all(self, query):
        """Follows nextLink to the end; returns (items, pages, links)."""
        items, links = [], []
        reply = self.arm("GET", "/incidents", query)
        pages = 0
        while True:
            self.assertEqual(reply.status, 200, reply.raw)
            pages += 1
            items.extend(reply.json["value"])
            link = reply.json.get("nextLink")
            if not link:
                return items, pages, links
            links.append(link)
            url = urllib.parse.urlsplit(link)
            self.assertEqual("%s://%s" % (url.scheme, url.netloc), self.info["base_url"])
            conn = self.connect()
            conn.request("GET", url.path + "?" + url.query, headers={"Authorization": "Bearer " + self.token()})
            response = conn.getresponse()
            reply = Reply(response, response.read())

    def assert_arm_error(self, reply, status, code):
        self.assertEqual(reply.status, status, reply.raw)
        self.assertEqual(set(reply.json), {"error"})
        self.assertEqual(reply.json["error"]["code"], code, reply.raw)
        self.assertTrue(reply.json["error"]["message"])
        return reply.json["error"]["message"]


class StartupTest(SimTestCase):
    def test_ready_file_names_port_ca_and_pid(self):
        self.assertEqual(self.info["base_url"], "https://127.0.0.1:%d" % self.info["port"])
        self.assertEqual(os.path.realpath(self.info["ca"]), os.path.realpath(os.path.join(self.dir, "ca.pem")))
        self.assertEqual(self.info["pid"], self.proc.pid)

    def test_certificate_verifies_for_ip_and_localhost_but_not_without_the_ca(self):
        for host in ("127.0.0.1", "localhost"):
            reply = self.call("GET", "/_sim/stats", conn=self.connect(host))
            self.assertEqual(reply.status, 200)
        untrusting = http.client.HTTPSConnection("127.0.0.1", self.info["port"],
                                                 context=ssl.create_default_context(), timeout=10)
        self.addCleanup(untrusting.close)
        with self.assertRaises(ssl.SSLCertVerificationError):
            untrusting.request("GET", "/_sim/stats")

    def test_responses_are_http11_with_date_and_length(self):
        reply = self.arm("GET", "/incidents")
        self.assertEqual(reply.version, 11)
        self.assertTrue(reply.headers["Date"].endswith("GMT"))
        self.assertEqual(int(reply.headers["Content-Length"]), len(reply.raw))
        self.assertTrue(reply.headers["x-ms-request-id"])
        self.assertTrue(int(reply.headers["x-ms-ratelimit-remaining-subscription-reads"]) > 0)

    def test_sigterm_stops_cleanly(self):
        self.proc.send_signal(signal.SIGTERM)
        self.assertEqual(self.proc.wait(10), 0)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "ready.json")))


class EntraTest(SimTestCase):
    def test_token_success(self):
        reply = self.token_request()
        self.assertEqual(reply.status, 200, reply.raw)
        self.assertEqual(reply.json["token_type"], "Bearer")
        self.assertEqual(reply.json["expires_in"], 3599)
        self.assertEqual(reply.json["ext_expires_in"], 3599)
        self.assertTrue(len(reply.json["access_token"]) > 20)
        self.assertNotEqual(self.token_request().json["access_token"], reply.json["access_token"])

    def test_token_lifetime_follows_config(self):
        self.sim.config(token_lifetime=120)
        self.assertEqual(self.token_request().json["expires_in"], 120)

    def test_basic_authentication_is_accepted(self):
        import base64
        basic = base64.b64encode(("%s:%s" % (CLIENT_ID, urllib.parse.quote_plus(SECRET))).encode()).decode()
        reply = self.call("POST", "/%s/oauth2/v2.0/token" % TENANT,
                          form={"scope": ARM, "grant_type": "client_credentials"},
                          headers={"Authorization": "Basic " + basic})
        self.assertEqual(reply.status, 200, reply.raw)

    def check_error(self, reply, status, error, code):
        self.assertEqual(reply.status, status, reply.raw)
        body = reply.json
        self.assertEqual(body["error"], error)
        self.assertTrue(body["error_description"].startswith("AADSTS%d: " % code), body["error_description"])
        self.assertEqual(body["error_codes"], [code])
        for field in ("timestamp", "trace_id", "correlation_id"):
            self.assertTrue(body[field], field)
        self.assertNotIn(SECRET, reply.raw.decode())

    def test_token_errors(self):
        self.check_error(self.token_request(tenant="contoso.onmicrosoft.com"), 400, "invalid_request", 90002)
        self.check_error(self.token_request(client_id="99999999-0000-0000-0000-000000000000"), 400,
                         "unauthorized_client", 700016)
        self.check_error(self.token_request(client_secret="wrong"), 401, "invalid_client", 7000215)
        self.check_error(self.token_request(client_secret=None), 401, "invalid_client", 7000216)
        self.check_error(self.token_request(grant_type="password"), 400, "unsupported_grant_type", 70003)
        self.check_error(self.token_request(scope="https://management.azure.com/user_impersonation"), 400,
                         "invalid_scope", 1002012)
        self.check_error(self.token_request(scope="https://unknown.example/.default"), 400, "invalid_resource",
                         500011)

    def test_changed_secret_takes_effect(self):
        self.sim.config(client_secret="rotated")
        self.check_error(self.token_request(), 401, "invalid_client", 7000215)
        self.assertEqual(self.token_request(client_secret="rotated").status, 200)


class ArmGateTest(SimTestCase):
    def test_missing_authorization_is_401_with_www_authenticate(self):
        reply = self.call("GET", PREFIX + "/incidents", {"api-version": API})
        self.assert_arm_error(reply, 401, "AuthenticationFailed")
        self.assertIn("Bearer", reply.headers["WWW-Authenticate"])

    def test_unknown_token_and_token_for_other_scope_are_401(self):
        self.assert_arm_error(self.arm("GET", "/incidents", token="not-a-token"), 401, "InvalidAuthenticationToken")
        self.assert_arm_error(self.arm("GET", "/incidents", token=self.token(GRAPH)), 401,
                              "InvalidAuthenticationTokenAudience")
        self.assertEqual(self.arm("GET", "/incidents").status, 200)

    def test_revoked_tokens_are_rejected(self):
        self.assertEqual(self.arm("GET", "/incidents").status, 200)
        self.assertGreaterEqual(self.sim.revoke_tokens(), 1)
        self.assert_arm_error(self.arm("GET", "/incidents"), 401, "InvalidAuthenticationToken")

    def test_expired_token_is_rejected_and_a_new_one_works(self):
        self.assertEqual(self.arm("GET", "/incidents").status, 200)
        self.sim.expire_tokens()
        self.assert_arm_error(self.arm("GET", "/incidents"), 401, "ExpiredAuthenticationToken")
        fresh = self.token_request().json["access_token"]
        self.assertEqual(self.arm("GET", "/incidents", token=fresh).status, 200)

    def test_api_version_is_required_and_checked(self):
        self.assert_arm_error(self.arm("GET", "/incidents", api_version=None), 400, "MissingApiVersionParameter")
        message = self.assert_arm_error(self.arm("GET", "/incidents", api_version="2019-01-01-preview"), 400,
                                        "InvalidApiVersionParameter")
        self.assertIn("2019-01-01-preview", message)


class IncidentTest(SimTestCase):
    def test_created_incident_has_every_server_field(self):
        first = self.create(title="My incident", severity="High", status="New", description="demo",
                            owner={"objectId": JOHN}, labels=[{"labelName": "site-a"}])
        second = self.create()
        self.assertEqual(first["id"], PREFIX + "/incidents/" + first["name"])
        self.assertEqual(first["type"], "Microsoft.SecurityInsights/incidents")
        self.assertRegex(first["etag"], r'^"[0-9a-f-]{36}"$')
        p = first["properties"]
        self.assertRegex(p["createdTimeUtc"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$")
        self.assertEqual(p["lastModifiedTimeUtc"], p["createdTimeUtc"])
        self.assertEqual(p["providerName"], "Azure Sentinel")
        self.assertEqual(p["providerIncidentId"], str(p["incidentNumber"]))
        self.assertEqual(second["properties"]["incidentNumber"], p["incidentNumber"] + 1)
        self.assertTrue(p["incidentUrl"].startswith("https://portal.azure.com/#asset/"))
        self.assertTrue(p["incidentUrl"].endswith(first["id"]))
        self.assertEqual(p["owner"], {"objectId": JOHN, "email": "john.doe@contoso.com",
                                      "userPrincipalName": "john@contoso.com", "assignedTo": "john doe",
                                      "ownerType": "User"})
        self.assertEqual(p["labels"], [{"labelName": "site-a", "labelType": "User"}])
        self.assertEqual(p["additionalData"], {"alertsCount": 0, "bookmarksCount": 0, "commentsCount": 0,
                                               "alertProductNames": [], "tactics": []})
        self.assertEqual(second["properties"]["owner"]["ownerType"], "Unknown")

    def test_get_one_and_unknown(self):
        created = self.create(title="A")
        reply = self.arm("GET", "/incidents/" + created["name"])
        self.assertEqual(reply.status, 200)
        self.assertEqual(reply.json, created)
        self.assert_arm_error(self.arm("GET", "/incidents/6b0e5a52-0000-0000-0000-000000000000"), 404, "NotFound")

    def test_alerts_and_entities(self):
        created = self.sim.create_incident(
            {"title": "Malware", "severity": "High"}, subscription=SUB, resource_group=RG, workspace=WS,
            alerts=[{"alertDisplayName": "Malware detected", "productName": "Microsoft Defender for Endpoint",
                     "tactics": ["Execution"], "severity": "High"}],
            entities=[{"kind": "Account", "properties": {"friendlyName": "administrator",
                                                         "accountName": "administrator"}},
                      {"kind": "Host", "properties": {"hostName": "HOST-7"}}])
        data = created["properties"]["additionalData"]
        self.assertEqual((data["alertsCount"], data["alertProductNames"], data["tactics"]),
                         (1, ["Microsoft Defender for Endpoint"], ["Execution"]))
        alerts = self.arm("POST", "/incidents/%s/alerts" % created["name"])
        self.assertEqual(alerts.status, 200)
        alert = alerts.json["value"][0]
        self.assertEqual((alert["kind"], alert["type"]), ("SecurityAlert", "Microsoft.SecurityInsights/Entities"))
        self.assertEqual(alert["properties"]["systemAlertId"], alert["name"])
        self.assertEqual(alert["properties"]["status"], "New")
        self.assertEqual(alert["properties"]["alertDisplayName"], "Malware detected")
        entities = self.arm("POST", "/incidents/%s/entities" % created["name"])
        self.assertEqual(entities.status, 200)
        self.assertEqual([e["kind"] for e in entities.json["entities"]], ["Account", "Host"])
        self.assertEqual(entities.json["metaData"], [{"entityKind": "Account", "count": 1},
                                                     {"entityKind": "Host", "count": 1}])

    def test_put_with_current_etag_then_stale_etag(self):
        created = self.create(title="T", severity="Medium", status="New", description="keep me")
        current = self.arm("GET", "/incidents/" + created["name"]).json
        props = dict(current["properties"], status="Active", owner={"objectId": JOHN},
                     labels=current["properties"]["labels"] + [{"labelName": "acknowledged-on-site"}])
        reply = self.arm("PUT", "/incidents/" + created["name"], body={"etag": current["etag"], "properties": props})
        self.assertEqual(reply.status, 200, reply.raw)
        updated = reply.json
        self.assertNotEqual(updated["etag"], current["etag"])
        self.assertGreater(updated["properties"]["lastModifiedTimeUtc"], current["properties"]["lastModifiedTimeUtc"])
        self.assertEqual(updated["properties"]["status"], "Active")
        self.assertEqual(updated["properties"]["description"], "keep me")
        self.assertEqual(updated["properties"]["owner"]["assignedTo"], "john doe")
        self.assertEqual(updated["properties"]["labels"], [{"labelName": "acknowledged-on-site", "labelType": "User"}])
        self.assertEqual(updated["properties"]["incidentNumber"], current["properties"]["incidentNumber"])

        stale = self.arm("PUT", "/incidents/" + created["name"],
                         body={"etag": current["etag"], "properties": dict(props, status="Closed")})
        message = self.assert_arm_error(stale, 409, "Conflict")
        self.assertIn("New version of resource", message)
        self.assertIn(created["name"], message)
        self.assertEqual(self.sim.get_incident(created["name"])["properties"]["status"], "Active")

    def test_put_replaces_writable_properties_and_validates(self):
        created = self.create(title="T", description="old text")
        base = {"title": "T2", "severity": "Low", "status": "Closed", "classification": "FalsePositive",
                "classificationReason": "IncorrectAlertLogic", "classificationComment": "test"}
        reply = self.arm("PUT", "/incidents/" + created["name"], body={"properties": base})
        self.assertEqual(reply.status, 200, reply.raw)
        self.assertNotIn("description", reply.json["properties"])
        self.assertEqual(reply.json["properties"]["classification"], "FalsePositive")
        for field in ("title", "severity", "status"):
            props = {k: v for k, v in base.items() if k != field}
            message = self.assert_arm_error(self.arm("PUT", "/incidents/" + created["name"],
                                                     body={"properties": props}), 400, "BadRequest")
            self.assertIn("'properties.%s'" % field, message)
        message = self.assert_arm_error(self.arm("PUT", "/incidents/" + created["name"],
                                                 body={"properties": dict(base, status="Done")}), 400, "BadRequest")
        self.assertIn("Done", message)

    def test_put_unknown_id_creates_with_201(self):
        name = "73e01a99-5cd7-4139-a149-9f2736ff2ab5"
        reply = self.arm("PUT", "/incidents/" + name,
                         body={"etag": '"0300bf09-0000-0000-0000-5c37296e0000"',
                               "properties": {"title": "My incident", "severity": "High", "status": "New"}})
        self.assertEqual(reply.status, 201, reply.raw)
        self.assertEqual(reply.json["name"], name)
        self.assertEqual(self.arm("GET", "/incidents/" + name).status, 200)

    def test_portal_change_bumps_etag_and_last_modified(self):
        created = self.create(title="T")
        patched = self.sim.patch_incident(created["name"], status="Active", owner={"objectId": JOHN})
        self.assertNotEqual(patched["etag"], created["etag"])
        self.assertGreater(patched["properties"]["lastModifiedTimeUtc"],
                           created["properties"]["lastModifiedTimeUtc"])
        self.assertEqual(patched["properties"]["owner"]["email"], "john.doe@contoso.com")
        self.assertEqual(self.arm("GET", "/incidents/" + created["name"]).json, patched)
        self.sim.delete_incident(created["name"])
        self.assertEqual(self.arm("GET", "/incidents/" + created["name"]).status, 404)


class ListTest(SimTestCase):
    page_size = 3

    def make(self, statuses):
        return [self.create(title="I%d" % i, status=s, severity="High" if i % 2 else "Low")
                for i, s in enumerate(statuses)]

    def test_filter_on_status_and_last_modified(self):
        made = self.make(["New", "Active", "New", "Closed", "New", "Active"])
        items, _, _ = self.list_all({"$filter": "properties/status eq 'New'"})
        self.assertEqual([i["name"] for i in items], [made[i]["name"] for i in (0, 2, 4)])
        since = made[3]["properties"]["lastModifiedTimeUtc"]
        items, _, _ = self.list_all({"$filter": "properties/lastModifiedTimeUtc ge %s" % since})
        self.assertEqual([i["name"] for i in items], [m["name"] for m in made[3:]])
        items, _, _ = self.list_all({"$filter": "(properties/status eq 'New' or properties/status eq 'Active') and "
                                                "not (properties/lastModifiedTimeUtc lt %s)" % since})
        self.assertEqual([i["name"] for i in items], [made[4]["name"], made[5]["name"]])
        items, _, _ = self.list_all({"$filter": "properties/severity ne 'High' and properties/status ne 'Closed'"})
        self.assertEqual([i["name"] for i in items], [made[i]["name"] for i in (0, 2, 4)])

    def test_bad_query_is_400_naming_the_problem(self):
        cases = {"properties/status eq New": "status", "properties/colour eq 'red'": "colour",
                 "properties/status eq 'New' and": "end", "(properties/status eq 'New'": "')'",
                 "properties/lastModifiedTimeUtc ge yesterday": "yesterday"}
        for text, named in cases.items():
            message = self.assert_arm_error(self.arm("GET", "/incidents", {"$filter": text}), 400, "BadRequest")
            self.assertIn(named, message, text)
        for top in ("0", "1001", "ten"):
            message = self.assert_arm_error(self.arm("GET", "/incidents", {"$top": top}), 400, "BadRequest")
            self.assertIn("$top", message)
        self.assert_arm_error(self.arm("GET", "/incidents", {"$orderby": "properties/colour asc"}), 400, "BadRequest")
        self.assert_arm_error(self.arm("GET", "/incidents", {"$skipToken": "garbage!"}), 400, "BadRequest")

    def test_orderby(self):
        made = self.make(["New"] * 4)
        items, _, _ = self.list_all({"$orderby": "properties/createdTimeUtc desc"})
        self.assertEqual([i["name"] for i in items], [m["name"] for m in reversed(made)])
        items, _, _ = self.list_all({})
        self.assertEqual([i["name"] for i in items], [m["name"] for m in made])

    def test_paging_over_three_pages_without_duplicates_or_gaps(self):
        made = self.make(["New", "Active"] * 4)
        items, pages, links = self.list_all({"$filter": "properties/status ne 'Closed'"})
        self.assertEqual(pages, 3)
        self.assertEqual([i["name"] for i in items], [m["name"] for m in made])
        for link in links:
            query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(link).query))
            self.assertEqual(query["api-version"], API)
            self.assertEqual(query["$filter"], "properties/status ne 'Closed'")
            self.assertTrue(query["$skipToken"])
        items, pages, _ = self.list_all({"$top": "2"})
        self.assertEqual(pages, 4)
        self.assertEqual(len({i["name"] for i in items}), 8)

    def test_paging_is_stable_when_an_earlier_incident_changes(self):
        made = self.make(["New"] * 7)
        first = self.arm("GET", "/incidents").json
        self.assertEqual([i["name"] for i in first["value"]], [m["name"] for m in made[:3]])
        self.sim.patch_incident(made[0]["name"], status="Active")
        rest, _, _ = self.list_all_from(first["nextLink"])
        self.assertEqual([i["name"] for i in rest], [m["name"] for m in made[3:]] + [made[0]["name"]])

    def list_all_from(self, link):
        url = urllib.parse.urlsplit(link)
        items, pages = [], 0
        while True:
            conn = self.connect()
            conn.request("GET", url.path + "?" + url.query, headers={"Authorization": "Bearer " + self.token()})
            response = conn.getresponse()
            body = json.loads(response.read())
            pages += 1
            items.extend(body["value"])
            if "nextLink" not in body:
                return items, pages, None
            url = urllib.parse.urlsplit(body["nextLink"])


class CommentTest(SimTestCase):
    def test_comment_put_list_and_effect_on_incident(self):
        created = self.create(title="T")
        comment_id = "4bb36b7b-26ff-4d1c-9cbe-0d8ab3da0014"
        path = "/incidents/%s/comments/%s" % (created["name"], comment_id)
        reply = self.arm("PUT", path, body={"properties": {"message": "Acknowledged on site by J. Doe"}})
        self.assertEqual(reply.status, 201, reply.raw)
        comment = reply.json
        self.assertEqual(comment["id"], created["id"] + "/comments/" + comment_id)
        self.assertEqual(comment["type"], "Microsoft.SecurityInsights/incidents/comments")
        self.assertEqual(comment["properties"]["message"], "Acknowledged on site by J. Doe")
        self.assertEqual(comment["properties"]["author"]["name"], "sirenbox")
        self.assertTrue(comment["properties"]["author"]["objectId"])
        again = self.arm("PUT", path, body={"properties": {"message": "edited"}})
        self.assertEqual(again.status, 200)
        listed = self.arm("GET", "/incidents/%s/comments" % created["name"])
        self.assertEqual([c["properties"]["message"] for c in listed.json["value"]], ["edited"])
        incident = self.arm("GET", "/incidents/" + created["name"]).json
        self.assertEqual(incident["properties"]["additionalData"]["commentsCount"], 1)
        # A comment changes the incident's etag, so a PUT based on the old one conflicts.
        self.assertNotEqual(incident["etag"], created["etag"])
        stale = self.arm("PUT", "/incidents/" + created["name"],
                         body={"etag": created["etag"], "properties": {"title": "T", "severity": "Medium",
                                                                        "status": "Closed"}})
        self.assert_arm_error(stale, 409, "Conflict")
        empty = self.arm("PUT", path, body={"properties": {"message": ""}})
        self.assertIn("message", self.assert_arm_error(empty, 400, "BadRequest"))

    def test_comments_page_like_incidents(self):
        self.sim.config(page_size=2)
        created = self.create(title="T")
        for i in range(5):
            self.sim.add_comment(created["name"], "note %d" % i)
        reply = self.arm("GET", "/incidents/%s/comments" % created["name"])
        messages = [c["properties"]["message"] for c in reply.json["value"]]
        link = reply.json["nextLink"]
        while link:
            url = urllib.parse.urlsplit(link)
            conn = self.connect()
            conn.request("GET", url.path + "?" + url.query, headers={"Authorization": "Bearer " + self.token()})
            body = json.loads(conn.getresponse().read())
            messages += [c["properties"]["message"] for c in body["value"]]
            link = body.get("nextLink")
        self.assertEqual(messages, ["note %d" % i for i in range(5)])


class ObservationTest(SimTestCase):
    def test_request_log_is_ordered_decoded_and_redacted(self):
        token = self.token()
        created = self.create(title="T")
        self.arm("GET", "/incidents", {"$filter": "properties/status eq 'New'"})
        self.arm("PUT", "/incidents/%s/comments/c1" % created["name"], body={"properties": {"message": "hi"}})
        log = self.sim.requests()
        self.assertEqual([(r["method"], r["path"].rsplit("/", 1)[-1]) for r in log],
                         [("POST", "token"), ("GET", "incidents"), ("PUT", "c1")])
        token_request, listing, put = log
        self.assertIn("client_secret=<redacted>", token_request["body"])
        self.assertNotIn(SECRET, json.dumps(log))
        self.assertNotIn(urllib.parse.quote_plus(SECRET), json.dumps(log))
        self.assertNotIn(token, json.dumps(log))
        self.assertEqual(listing["query"], {"api-version": API, "$filter": "properties/status eq 'New'"})
        self.assertEqual(listing["headers"]["Authorization"], "Bearer <redacted>")
        self.assertIsNone(listing["body"])
        self.assertEqual(put["body"], {"properties": {"message": "hi"}})
        self.assertEqual(put["status"], 201)
        self.sim.clear_requests()
        self.assertEqual(self.sim.requests(), [])

    def test_stats_count_one_handshake_for_requests_on_one_connection(self):
        self.token()
        before = self.sim.stats()
        conn = self.connect()
        for _ in range(3):
            self.assertEqual(self.arm("GET", "/incidents", conn=conn).status, 200)
        after = self.sim.stats()
        self.assertEqual(after["handshakes"] - before["handshakes"], 1)
        self.assertEqual(after["connections"] - before["connections"], 1)
        self.assertEqual(after["requests"] - before["requests"], 3)
        for _ in range(2):
            self.arm("GET", "/incidents")
        final = self.sim.stats()
        self.assertEqual(final["handshakes"] - after["handshakes"], 2)


if __name__ == "__main__":
    unittest.main()
