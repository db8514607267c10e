"""XLSForm `relevant` and `constraint` expressions: a parser and evaluator for the subset Shire supports.

The grammar is XPath 1.0's as XLSForm uses it: ${name} references, `.` for the question's own
answer, string and number literals, `or`, `and`, `=`, `!=`, `<`, `<=`, `>`, `>=`, `+`, `-`,
`*`, `div`, `mod`, unary minus, parentheses and the functions in FUNCTIONS. Anything else is
refused when the form is imported, so a published form never meets an expression it cannot run.

Answers are given as the stored answer set: strings for select_one, text and dates, lists of
choice names for select_multiple and rank, numbers for integer and decimal; an unanswered
question is absent. As in XPath, a list compares as its space-separated names and a missing
answer as the empty string.
"""
import math
import re
from datetime import date

from django.utils import timezone


class ExpressionError(ValueError):
    def __init__(self, message, position=None):
        super().__init__(message)
        self.position = position


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<ref>\$\{(?P<refname>[^}]*)\})
    | (?P<number>\d+(?:\.\d*)?|\.\d+)
    | (?P<string>'[^']*'|"[^"]*")
    | (?P<op><=|>=|!=|=|<|>|\+|-|\*|\(|\)|,)
    | (?P<dot>\.(?![\w.]))
    | (?P<name>[A-Za-z_][\w.:-]*)
    )""",
    re.VERBOSE,
)

# name -> (min args, max args or None for any)
FUNCTIONS = {
    "selected": (2, 2),
    "count-selected": (1, 1),
    "not": (1, 1),
    "string-length": (1, 1),
    "number": (1, 1),
    "int": (1, 1),
    "string": (1, 1),
    "boolean": (1, 1),
    "if": (3, 3),
    "coalesce": (2, 2),
    "concat": (1, None),
    "contains": (2, 2),
    "starts-with": (2, 2),
    "ends-with": (2, 2),
    "regex": (2, 2),
    "today": (0, 0),
    "true": (0, 0),
    "false": (0, 0),
}

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def _tokenize(text):
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ExpressionError(f"unexpected character {text[pos:].strip()[:1]!r} at position {pos + 1}", pos)
        kind = m.lastgroup if m.lastgroup != "refname" else "ref"
        for k in ("ref", "number", "string", "op", "dot", "name"):
            if m.group(k) is not None:
                kind = k
                break
        value = m.group(kind)
        if kind == "ref":
            value = m.group("refname").strip()
            if not _NAME.match(value):
                raise ExpressionError(f"${{{value}}} is not a valid question name", pos)
        elif kind == "string":
            value = value[1:-1]
        elif kind == "number":
            value = float(value)
        tokens.append((kind, value, m.start(kind)))
        pos = m.end()
    tokens.append(("end", None, len(text)))
    return tokens


_BINARY = [
    ("or",),
    ("and",),
    ("=", "!="),
    ("<", "<=", ">", ">="),
    ("+", "-"),
    ("*", "div", "mod"),
]


class _Parser:
    def __init__(self, text):
        self.tokens = _tokenize(text)
        self.i = 0

    def peek(self):
        return self.tokens[self.i]

    def take(self):
        token = self.tokens[self.i]
        self.i += 1
        return token

    def is_operator(self, token, ops):
        kind, value, _ = token
        return (kind == "op" and value in ops) or (kind == "name" and value in ops)

    def parse(self):
        if self.peek()[0] == "end":
            raise ExpressionError("the expression is empty", 0)
        node = self.binary(0)
        kind, value, pos = self.peek()
        if kind != "end":
            raise ExpressionError(f"unexpected {value!r} at position {pos + 1}", pos)
        return node

    def binary(self, level):
        if level == len(_BINARY):
            return self.unary()
        node = self.binary(level + 1)
        while self.is_operator(self.peek(), _BINARY[level]):
            op = self.take()[1]
            node = ("op", op, node, self.binary(level + 1))
        return node

    def unary(self):
        if self.is_operator(self.peek(), ("-",)):
            self.take()
            return ("neg", self.unary())
        return self.primary()

    def primary(self):
        kind, value, pos = self.take()
        if kind == "number":
            return ("num", value)
        if kind == "string":
            return ("str", value)
        if kind == "ref":
            return ("ref", value)
        if kind == "dot":
            return ("self",)
        if kind == "op" and value == "(":
            node = self.binary(0)
            self.expect(")")
            return node
        if kind == "name":
            if self.peek()[:2] != ("op", "("):
                raise ExpressionError(f"{value!r} at position {pos + 1} is not supported (only ${{name}} references and functions)", pos)
            if value not in FUNCTIONS:
                raise ExpressionError(f"the function {value}() is not supported", pos)
            self.take()
            args = []
            if self.peek()[:2] != ("op", ")"):
                args.append(self.binary(0))
                while self.peek()[:2] == ("op", ","):
                    self.take()
                    args.append(self.binary(0))
            self.expect(")")
            low, high = FUNCTIONS[value]
            if len(args) < low or (high is not None and len(args) > high):
                wanted = str(low) if low == high else f"at least {low}"
                raise ExpressionError(f"{value}() takes {wanted} argument(s), not {len(args)}", pos)
            return ("call", value, args)
        if kind == "end":
            raise ExpressionError("the expression ends too soon", pos)
        raise ExpressionError(f"unexpected {value!r} at position {pos + 1}", pos)

    def expect(self, op):
        kind, value, pos = self.take()
        if (kind, value) != ("op", op):
            raise ExpressionError(f"expected {op!r} at position {pos + 1}", pos)


_cache = {}


def parse(text):
    """Parse an expression, raising ExpressionError with a readable message if it is not valid."""
    if text not in _cache:
        _cache[text] = _Parser(text).parse()
    return _cache[text]


def references(text_or_tree):
    """The question names an expression refers to with ${name}."""
    tree = parse(text_or_tree) if isinstance(text_or_tree, str) else text_or_tree
    found = set()

    def walk(node):
        if node[0] == "ref":
            found.add(node[1])
        elif node[0] == "op":
            walk(node[2])
            walk(node[3])
        elif node[0] == "neg":
            walk(node[1])
        elif node[0] == "call":
            for arg in node[2]:
                walk(arg)

    walk(tree)
    return found


def uses_self(text):
    tree = parse(text)

    def walk(node):
        if node[0] == "self":
            return True
        if node[0] == "op":
            return walk(node[2]) or walk(node[3])
        if node[0] == "neg":
            return walk(node[1])
        if node[0] == "call":
            return any(walk(a) for a in node[2])
        return False

    return walk(tree)


# --- evaluation -------------------------------------------------------------------------------

def _as_string(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _as_number(value):
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(_as_string(value).strip())
    except ValueError:
        return math.nan


def _as_bool(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0 and not math.isnan(value)
    if isinstance(value, (list, tuple)):
        return len(value) > 0
    return value not in (None, "")


def _compare(op, left, right):
    if op in ("=", "!="):
        if isinstance(left, bool) or isinstance(right, bool):
            equal = _as_bool(left) == _as_bool(right)
        elif isinstance(left, (int, float)) or isinstance(right, (int, float)):
            equal = _as_number(left) == _as_number(right)
        else:
            equal = _as_string(left) == _as_string(right)
        return equal if op == "=" else not equal
    a, b = _as_number(left), _as_number(right)
    if math.isnan(a) or math.isnan(b):
        # ISO dates compare in calendar order as strings; XPath would give false.
        sa, sb = _as_string(left), _as_string(right)
        if _is_date(sa) and _is_date(sb):
            a, b = sa, sb
        else:
            return False
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _is_date(text):
    try:
        date.fromisoformat(text)
        return True
    except ValueError:
        return False


def _names(value):
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return _as_string(value).split()


def evaluate(text, answers, current=None):
    """Evaluate an expression over an answer set; `current` is the value of `.`."""
    return _eval(parse(text), answers, current)


def is_true(text, answers, current=None):
    return _as_bool(evaluate(text, answers, current))


def _eval(node, answers, current):
    kind = node[0]
    if kind in ("num", "str"):
        return node[1]
    if kind == "ref":
        return answers.get(node[1])
    if kind == "self":
        return current
    if kind == "neg":
        return -_as_number(_eval(node[1], answers, current))
    if kind == "op":
        op = node[1]
        if op == "or":
            return _as_bool(_eval(node[2], answers, current)) or _as_bool(_eval(node[3], answers, current))
        if op == "and":
            return _as_bool(_eval(node[2], answers, current)) and _as_bool(_eval(node[3], answers, current))
        left, right = _eval(node[2], answers, current), _eval(node[3], answers, current)
        if op in ("=", "!=", "<", "<=", ">", ">="):
            return _compare(op, left, right)
        a, b = _as_number(left), _as_number(right)
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "div":
            return a / b if b else (math.nan if a == 0 else math.copysign(math.inf, a))
        if op == "mod":
            return math.fmod(a, b) if b else math.nan
    if kind == "call":
        return _call(node[1], [lambda n=n: _eval(n, answers, current) for n in node[2]])
    raise ExpressionError(f"cannot evaluate {kind}")


def _call(name, args):
    # Arguments are thunks so that if() only evaluates the branch it takes.
    if name == "selected":
        return _as_string(args[1]()) in _names(args[0]())
    if name == "count-selected":
        return float(len(_names(args[0]())))
    if name == "not":
        return not _as_bool(args[0]())
    if name == "string-length":
        return float(len(_as_string(args[0]())))
    if name == "number":
        return _as_number(args[0]())
    if name == "int":
        n = _as_number(args[0]())
        return n if math.isnan(n) or math.isinf(n) else float(math.trunc(n))
    if name == "string":
        return _as_string(args[0]())
    if name == "boolean":
        return _as_bool(args[0]())
    if name == "if":
        return args[1]() if _as_bool(args[0]()) else args[2]()
    if name == "coalesce":
        first = args[0]()
        return first if _as_string(first) != "" else args[1]()
    if name == "concat":
        return "".join(_as_string(a()) for a in args)
    if name == "contains":
        return _as_string(args[1]()) in _as_string(args[0]())
    if name == "starts-with":
        return _as_string(args[0]()).startswith(_as_string(args[1]()))
    if name == "ends-with":
        return _as_string(args[0]()).endswith(_as_string(args[1]()))
    if name == "regex":
        try:
            return re.search(_as_string(args[1]()), _as_string(args[0]())) is not None
        except re.error:
            return False
    if name == "today":
        return timezone.localdate().isoformat()
    if name == "true":
        return True
    if name == "false":
        return False
    raise ExpressionError(f"the function {name}() is not supported")
