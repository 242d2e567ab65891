"""The OData subset that list calls accept: `$filter`, `$orderby`, and keyset paging with `$skipToken`.

Filter grammar (what the client sends):
    expr       := and_expr ('or' and_expr)*
    and_expr   := unary ('and' unary)*
    unary      := 'not' unary | '(' expr ')' | comparison
    comparison := 'properties/' FIELD OP value
    OP         := eq | ne | gt | ge | lt | le
    value      := 'quoted string' ('' escapes a quote) | ISO-8601 datetime (unquoted)
Fields are declared per collection with their type ("string" or "datetime"); a string field takes a
quoted value, a datetime field an unquoted datetime. ARM names fields under 'properties/'; Graph
names its top-level camelCase fields bare ('status eq ...'): callers pass the prefix (default ARM's).
"""

import base64
import datetime
import json
import re

OPS = ("eq", "ne", "gt", "ge", "lt", "le")
_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
                       r"(Z|[+-]\d{2}:\d{2})$", re.IGNORECASE)
_TOKEN = re.compile(r"\s*(?:(?P<paren>[()])|(?P<string>'(?:[^']|'')*')|(?P<word>[^\s()']+)|(?P<bad>'))")


class FilterError(ValueError):
    pass


def parse_datetime(text):
    """Parses ISO-8601 with 'Z' or an offset and up to 9 fraction digits; None when it is not one."""
    m = _DATETIME.match(text or "")
    if not m:
        return None
    year, month, day, hour, minute = (int(m.group(i)) for i in range(1, 6))
    second = int(m.group(6) or 0)
    micros = int((m.group(7) or "").ljust(6, "0")[:6] or 0)
    zone = m.group(8).upper()
    tz = datetime.timezone.utc
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        tz = datetime.timezone(sign * datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
    try:
        return datetime.datetime(year, month, day, hour, minute, second, micros, tz)
    except ValueError:
        return None


def _tokenize(text):
    tokens = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            break
        if m.group("bad"):
            raise FilterError("unterminated string literal at position %d" % m.start("bad"))
        kind = m.lastgroup
        start = m.start(kind)
        tokens.append((kind, m.group(kind), start))
        pos = m.end()
    return tokens


ARM_PREFIX = "properties/"


class _Parser:
    def __init__(self, text, fields, prefix=ARM_PREFIX):
        self.text = text
        self.fields = fields
        self.prefix = prefix
        self.tokens = _tokenize(text)
        self.i = 0

    def _peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None, len(self.text))

    def _next(self, what):
        if self.i >= len(self.tokens):
            raise FilterError("expected %s at the end of the expression" % what)
        token = self.tokens[self.i]
        self.i += 1
        return token

    def _is_word(self, word):
        kind, value, _ = self._peek()
        return kind == "word" and value == word

    def parse(self):
        if not self.tokens:
            raise FilterError("the expression is empty")
        node = self._or()
        if self.i < len(self.tokens):
            _, value, pos = self.tokens[self.i]
            raise FilterError("unexpected '%s' at position %d" % (value, pos))
        return node

    def _or(self):
        node = self._and()
        while self._is_word("or"):
            self.i += 1
            node = ("or", node, self._and())
        return node

    def _and(self):
        node = self._unary()
        while self._is_word("and"):
            self.i += 1
            node = ("and", node, self._unary())
        return node

    def _unary(self):
        if self._is_word("not"):
            self.i += 1
            return ("not", self._unary())
        kind, value, pos = self._peek()
        if kind == "paren" and value == "(":
            self.i += 1
            node = self._or()
            kind, value, pos = self._next("')'")
            if kind != "paren" or value != ")":
                raise FilterError("expected ')' at position %d, found '%s'" % (pos, value))
            return node
        return self._comparison()

    def _comparison(self):
        kind, value, pos = self._next("a property path")
        if kind != "word" or not value.startswith(self.prefix):
            raise FilterError("expected a property path like '%sstatus' at position %d, found '%s'"
                              % (self.prefix, pos, value))
        field = value[len(self.prefix):]
        if field not in self.fields:
            raise FilterError("could not find a property named '%s' (filterable: %s)"
                              % (field, ", ".join(sorted(self.fields))))
        kind, op, pos = self._next("a comparison operator after '%s'" % value)
        if kind != "word" or op not in OPS:
            raise FilterError("expected one of %s after '%s' at position %d, found '%s'"
                              % ("/".join(OPS), value, pos, op))
        kind, literal, pos = self._next("a value after '%s %s'" % (value, op))
        if self.fields[field] == "datetime":
            if kind != "word":
                raise FilterError("property '%s' is a datetime: expected an unquoted ISO-8601 value at "
                                  "position %d, found %s" % (field, pos, literal))
            parsed = parse_datetime(literal)
            if parsed is None:
                raise FilterError("'%s' at position %d is not an ISO-8601 datetime" % (literal, pos))
            return ("cmp", field, op, parsed)
        if kind != "string":
            raise FilterError("property '%s' is a string: expected a quoted value like 'New' at position %d, "
                              "found %s" % (field, pos, literal))
        return ("cmp", field, op, literal[1:-1].replace("''", "'"))


def parse_filter(text, fields, prefix=ARM_PREFIX):
    """Returns a predicate over a properties dict; raises FilterError naming the problem."""
    tree = _Parser(text, fields, prefix).parse()
    return lambda properties: _evaluate(tree, properties, fields)


def _field_value(properties, field, fields):
    value = properties.get(field)
    if value is None:
        return None
    if fields[field] == "datetime":
        return parse_datetime(value) if isinstance(value, str) else None
    return value if isinstance(value, str) else str(value)


def _evaluate(node, properties, fields):
    tag = node[0]
    if tag == "or":
        return _evaluate(node[1], properties, fields) or _evaluate(node[2], properties, fields)
    if tag == "and":
        return _evaluate(node[1], properties, fields) and _evaluate(node[2], properties, fields)
    if tag == "not":
        return not _evaluate(node[1], properties, fields)
    _, field, op, literal = node
    value = _field_value(properties, field, fields)
    if value is None:
        return op == "ne"
    return {"eq": value == literal, "ne": value != literal, "gt": value > literal, "ge": value >= literal,
            "lt": value < literal, "le": value <= literal}[op]


def parse_orderby(text, fields, default_field, prefix=ARM_PREFIX, default_descending=False):
    """Returns (field, descending)."""
    if text is None or text.strip() == "":
        return default_field, default_descending
    parts = text.split()
    if len(parts) not in (1, 2) or not parts[0].startswith(prefix):
        raise FilterError("$orderby must look like '%s<field> asc|desc', got '%s'" % (prefix, text))
    field = parts[0][len(prefix):]
    if field not in fields:
        raise FilterError("$orderby: could not find a property named '%s' (sortable: %s)"
                          % (field, ", ".join(sorted(fields))))
    direction = parts[1].lower() if len(parts) == 2 else "asc"
    if direction not in ("asc", "desc"):
        raise FilterError("$orderby direction must be 'asc' or 'desc', got '%s'" % parts[1])
    return field, direction == "desc"


def _sort_key(item, field, fields):
    value = _field_value(item["properties"], field, fields)
    return (value is not None, value, item["name"])


def _encode_token(key, field, descending):
    present, value, name = key
    if isinstance(value, datetime.datetime):
        value = value.isoformat()
    raw = json.dumps({"f": field, "d": descending, "k": [present, value, name]}).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _decode_token(token, field, descending, fields):
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        present, value, name = data["k"]
        if data["f"] != field or data["d"] != descending:
            raise FilterError("the $skipToken belongs to a different $orderby")
        if present and fields[field] == "datetime":
            value = datetime.datetime.fromisoformat(value)
        return (bool(present), value, str(name))
    except FilterError:
        raise
    except (ValueError, KeyError, TypeError):
        raise FilterError("the $skipToken is invalid") from None


def page(items, query, fields, default_field, page_size, prefix=ARM_PREFIX, default_descending=False):
    """Applies $filter, $orderby, $top (page size) and $skipToken from `query` to `items` (resources
    with "name" and "properties"). Returns (page_items, next_skip_token or None).

    The skip token is the sort key of the last item returned, so paging stays stable when items
    before that point change: nothing is returned twice and nothing is skipped, except items that
    move past the position because they were modified (they come again later, as they should)."""
    top = page_size
    if "$top" in query:
        try:
            top = int(query["$top"])
        except ValueError:
            raise FilterError("$top must be an integer, got '%s'" % query["$top"]) from None
        if not 1 <= top <= 1000:
            raise FilterError("$top must be between 1 and 1000, got %d" % top)
    field, descending = parse_orderby(query.get("$orderby"), fields, default_field, prefix, default_descending)
    predicate = parse_filter(query["$filter"], fields, prefix) if query.get("$filter", "").strip() else None
    selected = [item for item in items if predicate is None or predicate(item["properties"])]
    selected.sort(key=lambda item: _sort_key(item, field, fields), reverse=descending)
    if query.get("$skipToken"):
        after = _decode_token(query["$skipToken"], field, descending, fields)
        if descending:
            selected = [item for item in selected if _sort_key(item, field, fields) < after]
        else:
            selected = [item for item in selected if _sort_key(item, field, fields) > after]
    result = selected[:top]
    next_token = None
    if len(selected) > top:
        next_token = _encode_token(_sort_key(result[-1], field, fields), field, descending)
    return result, next_token
