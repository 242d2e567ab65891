"""Turns an API request into a redacted entry of the request log (`GET /_sim/requests`)."""

import json
import re

_SECRET_FORM_FIELDS = ("client_secret", "client_assertion", "password")


def _redact_authorization(value):
    scheme = value.split(" ", 1)[0] if value else ""
    return "%s <redacted>" % (scheme or "Bearer")


def _redact_form(text):
    for field in _SECRET_FORM_FIELDS:
        text = re.sub(r"(^|&)(%s=)[^&]*" % field, r"\1\2<redacted>", text)
    return text


def entry(request, response):
    headers = {}
    for name, value in request.headers.items():
        headers[name] = _redact_authorization(value) if name.lower() == "authorization" else value
    body = None
    if request.body:
        text = request.body.decode("utf-8", "replace")
        content_type = request.header("Content-Type", "")
        if "x-www-form-urlencoded" in content_type:
            body = _redact_form(text)
        else:
            try:
                body = json.loads(text)
            except json.JSONDecodeError:
                body = text
    return {"method": request.method, "path": request.path, "query": dict(request.query),
            "headers": headers, "body": body, "status": response.status}
