"""What every Azure Resource Manager call shares: bearer-token check, api-version check, CloudError
bodies and the x-ms-* response headers (request id, remaining rate-limit quota)."""

import datetime
import threading
import time
import uuid

from server import json_response

ARM_SCOPE = "https://management.azure.com/.default"


def cloud_error(status, code, message, headers=None):
    return json_response(status, {"error": {"code": code, "message": message}}, headers)


class RateBuckets:
    """ARM's token buckets per subscription (reads 250 @ 25/s, writes and deletes 200 @ 10/s).
    Only reported in headers; throttling with 429 is left to a fault switch."""

    _SIZES = {"reads": (250, 25.0), "writes": (200, 10.0), "deletes": (200, 10.0)}

    def __init__(self):
        self._lock = threading.Lock()
        self._levels = {}  # (subscription, kind) -> (level, last refill time)

    def take(self, subscription, kind):
        size, rate = self._SIZES[kind]
        key = (subscription.lower(), kind)
        now = time.monotonic()
        with self._lock:
            level, last = self._levels.get(key, (float(size), now))
            level = min(float(size), level + (now - last) * rate)
            level = max(0.0, level - 1.0)
            self._levels[key] = (level, now)
            return int(level)


def _kind(method):
    return {"GET": "reads", "HEAD": "reads", "DELETE": "deletes"}.get(method, "writes")


class ArmGate:
    def __init__(self, state, api_versions):
        self.state = state
        self.api_versions = api_versions
        self.buckets = RateBuckets()

    def _www_authenticate(self, error_description):
        return ('Bearer authorization_uri="https://login.microsoftonline.com/%s", error="invalid_token", '
                'error_description="%s"' % (self.state.config.tenant, error_description))

    def _unauthorized(self, code, message, description):
        return cloud_error(401, code, message, [("WWW-Authenticate", self._www_authenticate(description))])

    def check(self, request):
        """Returns an error Response, or None when the call may proceed."""
        header = request.header("Authorization")
        if not header:
            return self._unauthorized("AuthenticationFailed", "Authentication failed. The 'Authorization' header "
                                      "is missing.", "The authentication failed because of missing "
                                      "'Authorization' header.")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return self._unauthorized("AuthenticationFailed", "Authentication failed. The 'Authorization' header "
                                      "is provided in an invalid format.", "The authentication failed because "
                                      "of invalid 'Authorization' header format.")
        record = self.state.tokens.lookup(token)
        if record is None:
            return self._unauthorized("InvalidAuthenticationToken", "The access token is invalid.",
                                      "The access token is invalid.")
        if record["scope"] != ARM_SCOPE:
            audience = record["scope"][:-len(".default")]
            return self._unauthorized("InvalidAuthenticationTokenAudience",
                                      "The access token has been obtained for wrong audience or resource '%s'. "
                                      "It should exactly match with one of the allowed audiences "
                                      "'https://management.core.windows.net/','https://management.azure.com/'."
                                      % audience, "The access token has an invalid audience.")
        now = time.time()
        if record["expires_at"] <= now:
            fmt = "%m/%d/%Y %H:%M:%S"
            expired = datetime.datetime.fromtimestamp(record["expires_at"], datetime.timezone.utc).strftime(fmt)
            current = datetime.datetime.fromtimestamp(now, datetime.timezone.utc).strftime(fmt)
            return self._unauthorized("ExpiredAuthenticationToken",
                                      "The access token expiry UTC time '%s' is earlier than current UTC time "
                                      "'%s'." % (expired, current), "The access token expired.")
        version = request.query.get("api-version")
        if version is None:
            return cloud_error(400, "MissingApiVersionParameter",
                               "The api-version query parameter (?api-version=) is required for all requests.")
        if version not in self.api_versions:
            return cloud_error(400, "InvalidApiVersionParameter",
                               "The api-version '%s' is invalid. The supported versions are '%s'."
                               % (version, "','".join(self.api_versions)))
        return None

    def decorate(self, request, response, subscription):
        """Adds the headers ARM puts on every response."""
        request_id = str(uuid.uuid4())
        kind = _kind(request.method)
        remaining = self.buckets.take(subscription, kind)
        response.add_header("x-ms-request-id", request_id)
        response.add_header("x-ms-correlation-request-id", request_id)
        response.add_header("x-ms-routing-request-id", "LOCAL:%s:%s" % (
            datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ"), request_id))
        response.add_header("x-ms-ratelimit-remaining-subscription-%s" % kind, str(remaining))
        response.add_header("Cache-Control", "no-cache")
        return response
