"""Microsoft Entra ID v2.0 token endpoint, client-credentials grant only.

Errors carry the same fields and AADSTS codes as the real endpoint so the client's error reporting
is exercised with realistic text.
"""

import base64
import datetime
import hmac
import re
import urllib.parse
import uuid

from server import json_response

# Resources the simulated tenant knows (application ID URIs).
KNOWN_RESOURCES = ("https://management.azure.com", "https://graph.microsoft.com", "https://api.loganalytics.io")

_PATH = re.compile(r"^/([^/]+)/oauth2/v2\.0/token$")


def _error(status, error, code, description):
    trace_id = str(uuid.uuid4())
    correlation_id = str(uuid.uuid4())
    now = datetime.datetime.now(datetime.timezone.utc)
    timestamp = now.strftime("%Y-%m-%d %H:%M:%SZ")
    text = "AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s" % (
        code, description, trace_id, correlation_id, timestamp)
    body = {"error": error, "error_description": text, "error_codes": [code], "timestamp": timestamp,
            "trace_id": trace_id, "correlation_id": correlation_id,
            "error_uri": "https://login.microsoftonline.com/error?code=%d" % code}
    return json_response(status, body, [("Cache-Control", "no-store, no-cache"), ("Pragma", "no-cache")])


def _basic_credentials(request):
    header = request.header("Authorization", "")
    if not header.lower().startswith("basic "):
        return None, None
    try:
        decoded = base64.b64decode(header[6:].strip()).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None, None
    user, _, password = decoded.partition(":")
    return urllib.parse.unquote_plus(user), urllib.parse.unquote_plus(password)


class Entra:
    def __init__(self, state):
        self.state = state

    def handle(self, request):
        match = _PATH.match(request.path)
        if not match:
            return None
        if request.method != "POST":
            return _error(400, "invalid_request", 900561,
                          "The endpoint only accepts POST requests. Received a %s request." % request.method)
        return self._token(match.group(1), request)

    def _token(self, tenant, request):
        config = self.state.config
        if tenant.lower() != config.tenant.lower():
            return _error(400, "invalid_request", 90002,
                          "Tenant '%s' not found. Check to make sure you have the correct tenant ID and are "
                          "signing into the correct cloud." % tenant)
        if "x-www-form-urlencoded" not in request.header("Content-Type", ""):
            return _error(400, "invalid_request", 900144,
                          "The request body must contain the following parameter: 'grant_type'.")
        form = request.form()
        basic_id, basic_secret = _basic_credentials(request)
        client_id = form.get("client_id") or basic_id
        secret = form.get("client_secret") or basic_secret
        grant_type = form.get("grant_type")
        scope = form.get("scope")

        if not grant_type:
            return _error(400, "invalid_request", 900144,
                          "The request body must contain the following parameter: 'grant_type'.")
        if grant_type != "client_credentials":
            return _error(400, "unsupported_grant_type", 70003,
                          "The app requested an unsupported grant type '%s'." % grant_type)
        if not client_id:
            return _error(400, "invalid_request", 900144,
                          "The request body must contain the following parameter: 'client_id'.")
        if client_id.lower() != config.client_id.lower():
            return _error(400, "unauthorized_client", 700016,
                          "Application with identifier '%s' was not found in the directory '%s'. This can "
                          "happen if the application has not been installed by the administrator of the "
                          "tenant or consented to by any user in the tenant. You may have sent your "
                          "authentication request to the wrong tenant." % (client_id, tenant))
        if not scope:
            return _error(400, "invalid_request", 900144,
                          "The request body must contain the following parameter: 'scope'.")
        if not scope.endswith("/.default") or " " in scope.strip():
            return _error(400, "invalid_scope", 1002012,
                          "The provided value for scope %s is not valid. Client credential flows must have a "
                          "scope value with /.default suffixed to the resource identifier (application ID "
                          "URI)." % scope)
        resource = scope[:-len("/.default")]
        if resource.rstrip("/") not in KNOWN_RESOURCES:
            return _error(400, "invalid_resource", 500011,
                          "The resource principal named %s was not found in the tenant named %s. This can "
                          "happen if the application has not been installed by the administrator of the "
                          "tenant or consented to by any user in the tenant. You might have sent your "
                          "authentication request to the wrong tenant." % (resource, tenant))
        if "client_assertion" in form or "client_assertion_type" in form:
            refusal = self._check_assertion(form, client_id, request)
            if refusal is not None:
                return refusal
        elif not secret:
            return _error(401, "invalid_client", 7000216,
                          "'client_assertion', 'client_secret' or 'request' is required for the "
                          "'client_credentials' grant type.")
        elif not hmac.compare_digest(secret.encode("utf-8"), config.get("client_secret").encode("utf-8")):
            return _error(401, "invalid_client", 7000215,
                          "Invalid client secret provided. Ensure the secret being sent in the request is the "
                          "client secret value, not the client secret ID, for a secret added to app '%s'."
                          % client_id)

        lifetime = config.get("token_lifetime")
        token = self.state.tokens.issue(scope, client_id, lifetime)
        return json_response(200, {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime,
                                   "access_token": token},
                             [("Cache-Control", "no-store, no-cache"), ("Pragma", "no-cache")])

    def _check_assertion(self, form, client_id, request):
        """None when the certificate credential holds, else Entra's refusal (assertion.py)."""
        import assertion  # python3-cryptography, needed only here

        config = self.state.config
        # The audience is the token URL the client was told to use; the simulator answers as 127.0.0.1 and
        # as whatever host name the client used.
        hosts = {urllib.parse.urlparse(self.state.base_url).netloc, request.header("Host", "")}
        audiences = {"https://%s%s" % (host, request.path) for host in hosts if host}
        now = (datetime.datetime.now(datetime.timezone.utc) +
               datetime.timedelta(seconds=config.get("clock_offset_s")))
        try:
            assertion.check(form.get("client_assertion", ""), form.get("client_assertion_type"), client_id,
                            audiences, config.registered_certificates(), now)
        except assertion.Refusal as refusal:
            return _error(refusal.status, refusal.error, refusal.code, refusal.description)
        return None

