"""State shared by every endpoint: settings, tokens, counters, the request log and the clock.

Handler threads run concurrently (one per connection), so every mutable member is guarded by the
lock of the object that owns it.
"""

import copy
import datetime
import secrets
import threading
import time

DEFAULT_TENANT = "7a3c1f0e-5d2b-4c8a-9e61-0b4f2d8c7a15"
DEFAULT_CLIENT_ID = "3f9e2a71-6c4d-4b8e-a1f0-5d7c9b2e4a63"
DEFAULT_CLIENT_SECRET = "cloudsim-test-secret"

# The identity the simulated directory gives to the app (comment author, token subject).
APP_OBJECT_ID = "b1e5c0d2-8f3a-4e6b-9c7d-2a4f6e8b0c19"
APP_DISPLAY_NAME = "sirenbox"


class Config:
    """Run-time settings; `POST /_sim/config` changes them."""

    def __init__(self, tenant, client_id, client_secret, page_size, token_lifetime, client_certificates=()):
        self._lock = threading.Lock()
        self.tenant = tenant  # fixed at start
        self.client_id = client_id  # fixed at start
        self._values = {
            "client_secret": client_secret,
            # PEM certificates registered on the app (keyCredentials): client assertions signed with their keys
            # are accepted (assertion.py). Kept parsed in self._registered.
            "client_certificates": list(client_certificates),
            "page_size": page_size,
            "token_lifetime": token_lifetime,
            # Uncertain in the reference whether the service insists; off by default.
            "require_classification_on_close": False,
            # Seconds added to the server's clock: the Date header and the client assertions' time checks.
            "clock_offset_s": 0,
        }
        self._registered = _registered(self._values["client_certificates"])

    def get(self, key):
        with self._lock:
            return self._values[key]

    def update(self, changes):
        """Validates and applies `changes`; returns an error text or None."""
        checks = {
            "client_secret": lambda v: isinstance(v, str) and v != "",
            "page_size": lambda v: isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 1000,
            "token_lifetime": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1,
            "require_classification_on_close": lambda v: isinstance(v, bool),
            "clock_offset_s": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
            and abs(v) <= 100 * 365 * 86400,
            "client_certificates": lambda v: isinstance(v, list) and all(isinstance(c, str) for c in v),
        }
        for key, value in changes.items():
            if key not in checks:
                return "unknown config key '%s' (known: %s)" % (key, ", ".join(sorted(checks)))
            if not checks[key](value):
                return "bad value for config key '%s'" % key
        registered = None
        if "client_certificates" in changes:
            try:
                registered = _registered(changes["client_certificates"])
            except ValueError as e:
                return "bad value for config key 'client_certificates': %s" % e
        with self._lock:
            self._values.update(changes)
            if registered is not None:
                self._registered = registered
        return None

    def registered_certificates(self):
        """The registered certificates, parsed (assertion.Registered)."""
        with self._lock:
            return list(self._registered)

    def public(self):
        with self._lock:
            shown = {k: v for k, v in self._values.items() if k not in ("client_secret", "client_certificates")}
            shown["client_certificates"] = [c.thumbprint for c in self._registered]
        shown.update(tenant=self.tenant, client_id=self.client_id)
        return shown


def _registered(pems):
    if not pems:
        return []
    import assertion  # needs python3-cryptography, only when certificates are registered

    return [assertion.Registered(pem) for pem in pems]


class Clock:
    """UTC wall clock that never returns the same instant twice, so every change gets a distinct
    lastModifiedTimeUtc and delta queries (`ge last seen`) are exact."""

    def __init__(self):
        self._lock = threading.Lock()
        self._last = None

    def now(self):
        with self._lock:
            t = datetime.datetime.now(datetime.timezone.utc)
            if self._last is not None and t <= self._last:
                t = self._last + datetime.timedelta(microseconds=1)
            self._last = t
            return t


def format_time(t):
    """Azure's style: seven fraction digits and 'Z' ("2023-08-01T10:37:32.2783540Z")."""
    return t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def format_time_plain(t):
    return t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Stats:
    def __init__(self):
        self._lock = threading.Lock()
        self._counts = {"handshakes": 0, "handshake_failures": 0, "sessions_reused": 0,
                        "connections": 0, "requests": 0, "control_requests": 0,
                        "faults_applied": 0, "idle_connections_closed": 0}

    def add(self, key, n=1):
        with self._lock:
            self._counts[key] += n

    def snapshot(self):
        with self._lock:
            return dict(self._counts)


class RequestLog:
    """API requests (not /_sim ones) in arrival order, already redacted."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = []

    def append(self, entry):
        with self._lock:
            self._entries.append(entry)

    def entries(self):
        with self._lock:
            return copy.deepcopy(self._entries)

    def clear(self):
        with self._lock:
            self._entries.clear()


class Tokens:
    """Access tokens issued by the Entra endpoint; each is valid for one scope until it expires."""

    def __init__(self):
        self._lock = threading.Lock()
        self._tokens = {}
        self._issued = []  # every token ever issued, revoked ones too (`GET /_sim/tokens`)

    def issue(self, scope, client_id, lifetime):
        token = "cs." + secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = {"scope": scope, "client_id": client_id,
                                   "expires_at": time.time() + lifetime}
            self._issued.append(token)
        return token

    def issued(self):
        with self._lock:
            return list(self._issued)

    def lookup(self, token):
        """Returns a copy of the token's record or None."""
        with self._lock:
            record = self._tokens.get(token)
            return dict(record) if record else None

    def expire_all(self):
        """Makes every issued token expired now (the next API call gets ExpiredAuthenticationToken)."""
        now = time.time()
        with self._lock:
            for record in self._tokens.values():
                record["expires_at"] = min(record["expires_at"], now)
            return len(self._tokens)

    def revoke_all(self):
        with self._lock:
            n = len(self._tokens)
            self._tokens.clear()
            return n


class SimState:
    def __init__(self, config):
        self.config = config
        self.clock = Clock()
        self.stats = Stats()
        self.requests = RequestLog()
        self.tokens = Tokens()
        self.base_url = None  # set once the port is known
        self.faults = None  # faults.FaultBoard, set at start
        self.tls = None  # certs.TlsSwitch, set at start
        self.server = None  # server.SimServer, set at start (closes idle connections)
