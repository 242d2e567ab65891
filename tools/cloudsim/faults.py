"""Fault switchboard: tests arm faults (`POST /_sim/faults`) that the next matching API requests meet.

A fault is {"match": {"method"?, "path"?, "path_regex"?}, "count", "action"}: `path` is a substring of
the decoded request path, `path_regex` a Python regular expression searched in it (to tell a list from
its items: "^/v1\\.0/security/incidents$"). Faults are tried in the order they
were added; the first one that matches and still has a count left is applied to the request and its
count goes down (count -1 = until cleared). Control requests (/_sim) never meet a fault.

Actions (exactly one per fault):
  status                  answer with this status instead of the service (optional retry_after, body)
  delay_before_headers_ms wait, then let the service answer normally
  delay_mid_body_ms       send the headers and half the body, wait, send the rest
  reset_mid_body          send the headers and part of the body, then reset the TCP connection
  truncate_chunked        answer chunked and close the connection before the last chunk
  oversize_body_bytes     a valid response whose body is exactly N bytes
  close_after_response    answer normally (keep-alive), then close the connection
How each one reaches the wire is in server.Handler.
"""

import re
import threading

from server import json_response

_TRANSPORT_ACTIONS = ("delay_before_headers_ms", "delay_mid_body_ms", "reset_mid_body", "truncate_chunked",
                      "oversize_body_bytes", "close_after_response")
_MAX_DELAY_MS = 10 * 60 * 1000
_MAX_OVERSIZE = 4 * 1024 * 1024 * 1024

# Error codes the real services send for these statuses (ARM and Graph use the same envelope).
_STATUS_CODES = {400: "BadRequest", 401: "AuthenticationFailed", 403: "AuthorizationFailed", 404: "NotFound",
                 408: "RequestTimeout", 409: "Conflict", 412: "PreconditionFailed", 429: "TooManyRequests",
                 500: "InternalServerError", 502: "BadGateway", 503: "ServiceUnavailable",
                 504: "GatewayTimeout"}


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _check_match(match):
    if not isinstance(match, dict):
        raise ValueError("'match' must be an object")
    for key, value in match.items():
        if key not in ("method", "path", "path_regex"):
            raise ValueError("unknown key 'match.%s' (known: method, path, path_regex)" % key)
        if not isinstance(value, str) or not value:
            raise ValueError("'match.%s' must be a non-empty string" % key)
        if key == "path_regex":
            try:
                re.compile(value)
            except re.error as e:
                raise ValueError("'match.path_regex' is not a regular expression: %s" % e) from None
    return {k: (v.upper() if k == "method" else v) for k, v in match.items()}


def _check_action(action):
    if not isinstance(action, dict) or not action:
        raise ValueError("'action' must be a non-empty object")
    if "status" in action:
        extra = set(action) - {"status", "retry_after", "body"}
        if extra:
            raise ValueError("a status action takes only status, retry_after and body (got %s)"
                             % ", ".join(sorted(extra)))
        if not _is_int(action["status"]) or not 200 <= action["status"] <= 599:
            raise ValueError("'action.status' must be an integer between 200 and 599")
        if "retry_after" in action and (not isinstance(action["retry_after"], str) or not action["retry_after"]):
            raise ValueError("'action.retry_after' must be a non-empty string (seconds or an HTTP-date)")
        if "body" in action and not isinstance(action["body"], (dict, list)):
            raise ValueError("'action.body' must be a JSON object or array")
        return dict(action)
    if len(action) != 1:
        raise ValueError("'action' must hold exactly one of status, %s" % ", ".join(_TRANSPORT_ACTIONS))
    (key, value), = action.items()
    if key in ("delay_before_headers_ms", "delay_mid_body_ms"):
        if not _is_int(value) or not 0 <= value <= _MAX_DELAY_MS:
            raise ValueError("'action.%s' must be an integer between 0 and %d" % (key, _MAX_DELAY_MS))
    elif key == "oversize_body_bytes":
        if not _is_int(value) or not 0 <= value <= _MAX_OVERSIZE:
            raise ValueError("'action.oversize_body_bytes' must be an integer between 0 and %d" % _MAX_OVERSIZE)
    elif key in ("reset_mid_body", "truncate_chunked", "close_after_response"):
        if value is not True:
            raise ValueError("'action.%s' must be true" % key)
    else:
        raise ValueError("unknown action '%s' (known: status, %s)" % (key, ", ".join(_TRANSPORT_ACTIONS)))
    return {key: value}


def parse_fault(body):
    """Validates a `POST /_sim/faults` body; returns (match, count, action) or raises ValueError."""
    unknown = set(body) - {"match", "count", "action"}
    if unknown:
        raise ValueError("unknown key '%s' (known: match, count, action)" % sorted(unknown)[0])
    if "action" not in body:
        raise ValueError("'action' is required")
    count = body.get("count", 1)
    if not _is_int(count) or (count < 1 and count != -1):
        raise ValueError("'count' must be a positive integer or -1 (until cleared)")
    return _check_match(body.get("match", {})), count, _check_action(body["action"])


def _status_response(action):
    """The response a status fault answers with."""
    status = action["status"]
    body = action.get("body")
    if body is None:
        code = _STATUS_CODES.get(status, "Error%d" % status)
        body = {"error": {"code": code, "message": "cloudsim fault: the service answered %d %s." % (status, code)}}
    headers = [("x-ms-request-id", "00000000-0000-0000-0000-fa0170000000")]
    if "retry_after" in action:
        headers.append(("Retry-After", action["retry_after"]))
    return json_response(status, body, headers)


class FaultBoard:
    """Armed faults. Thread-safe (handler threads take faults while control requests add them)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._faults = []  # guarded by _lock
        self._next_id = 1  # guarded by _lock

    def add(self, body):
        match, count, action = parse_fault(body)
        with self._lock:
            fault_id = "f%d" % self._next_id
            self._next_id += 1
            self._faults.append({"id": fault_id, "match": match, "count": count, "applied": 0,
                                 "action": action})
        return fault_id

    def take(self, method, path):
        """The action of the first armed fault matching this request (its count goes down), or None."""
        with self._lock:
            for fault in self._faults:
                match = fault["match"]
                if "method" in match and match["method"] != method.upper():
                    continue
                if "path" in match and match["path"] not in path:
                    continue
                if "path_regex" in match and not re.search(match["path_regex"], path):
                    continue
                fault["applied"] += 1
                if fault["count"] > 0:
                    fault["count"] -= 1
                    if fault["count"] == 0:
                        self._faults.remove(fault)
                return dict(fault["action"])
        return None

    @staticmethod
    def answer(action):
        """The response a status action answers with (None for transport actions)."""
        return _status_response(action) if "status" in action else None

    def clear(self):
        with self._lock:
            n = len(self._faults)
            self._faults.clear()
            return n

    def listing(self):
        with self._lock:
            return [dict(f, match=dict(f["match"]), action=dict(f["action"])) for f in self._faults]
