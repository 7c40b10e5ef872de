"""Bounded readers for the YAML, JSON and TOML files a user gives.

Source packs, rule files, lexicons, configs and baselines are untrusted: a
file nested 100,000 levels deep overflows the C stack of the YAML loader (a
segfault, not an exception), 800 bytes of YAML aliases expand to gigabytes,
and a 5,000-digit number is a ValueError in Python's ``int``. Every reader
here therefore

* checks the size (``max-input-bytes``);
* scans the text before any parser sees it, in one linear pass, for nesting
  depth (``max-depth``), long numbers (``max-number-digits``) and, in YAML,
  raw control characters and aliases, so each refusal names its line;
* turns every parser error into one :class:`~claimaudit.errors.InputError`
  naming the file and line;
* checks the parsed data again (depth, number size, shared nodes), so a text
  the scan misjudged is still refused before anything walks it recursively.

The scan is an estimate of YAML's structure, not a parser. Two guards keep a
misjudged text harmless: a crude upper bound on nesting (every bracket plus
the deepest indentation) chooses the pure-Python loader, whose recursion
fails with an exception instead of a crash, whenever the C loader could go
deep; and the parsed data is measured exactly afterwards.

This module imports only claimaudit.errors and claimaudit.limits; the
parsers are imported when a file is read, so a check served from the cache
never loads ruamel.yaml.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    import json

from claimaudit import limits
from claimaudit.errors import InputError


class _Lazy:
    """A regular expression compiled when first used: a warm check imports this module
    to read its config, and should not pay for the YAML patterns."""

    def __init__(self, source: str, flags: int = 0):
        self._source = source
        self._flags = flags

    def __getattr__(self, name: str) -> Any:
        compiled = re.compile(self._source, self._flags)
        for method in ("search", "match", "fullmatch", "finditer", "sub"):
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)


# ruamel's reader refuses these characters (YAML 1.2, "printable" set).
_NON_PRINTABLE = _Lazy("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")

# The C loader recurses once per level; with an 8 MB stack it crashes past
# about 25,000. Texts that could reach this depth go to the pure loader.
_C_LOADER_SAFE_DEPTH = 1000

_SINGLE_QUOTED_REST = _Lazy(r"(?:[^']|'')*+'")
_DOUBLE_QUOTED_REST = _Lazy(r'(?:[^"\\]|\\.)*+"')
_PLAIN_END = _Lazy(r":(?=[ \t]|$)|[ \t]+#")  # a key's colon or a comment ends a block plain scalar
_FLOW_TOKEN = _Lazy(r"""[\[\]{}'"#*,:?&!]""")
_NODE_START = ("", "[", "{", ",", ":", "?")
_QUOTED_KEY_COLON = _Lazy(r"[ \t]*:(?=[ \t]|$)")
_PROPERTY = _Lazy(r"[&!][^ \t\[\]{},]*[ \t]*")
_COMPACT_RUN = _Lazy(r"(?:[-?][ \t]+){32}")
_NUMBER = _Lazy(r"[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?"
                r"|[-+]?0[xX][0-9a-fA-F_]+|[-+]?0[oObB][0-9_]+")


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _too_deep(path: str, line: int | None, line_offset: int = 0) -> InputError:
    error = limits.breach("max-depth", path=path, line=line + line_offset if line else None)
    return InputError(f"nested too deeply: {error.detail}", path=error.path, line=error.line)


def _too_long_number(digits: int, path: str, line: int | None, line_offset: int = 0) -> InputError:
    error = limits.breach("max-number-digits", digits, path=path, line=line + line_offset if line else None)
    return InputError(f"number too long: {error.detail}", path=error.path, line=error.line)


def _parser_gave_up(path: str) -> InputError:
    # Only reached when max-depth was raised past what the parser's recursion allows.
    return InputError(f"nested too deeply: the parser's own limit was reached before max-depth "
                      f"({limits.int_value('max-depth'):,} levels)", path=path)


def _check_size(text: str, path: str) -> None:
    # Characters never outnumber bytes: only a text that may be over the limit is encoded.
    allowed = limits.value("max-input-bytes")
    if len(text) * 4 > allowed:
        limits.check("max-input-bytes", len(text.encode("utf-8", "surrogatepass")), path=path)


def _long_digit_run(text: str) -> re.Match | None:
    """The first run of more digits than one number may have (decimal, or hexadecimal after 0x)."""
    limit = limits.int_value("max-number-digits")
    return re.search(r"[0-9](?:_?[0-9]){%d,}|0[xX](?:_?[0-9a-fA-F]){%d,}" % (limit, limit + 1), text)


def _number_digits(token: str) -> int:
    """Digits of a YAML plain scalar that reads as a number (0 if it does not)."""
    token = token.strip()
    if not _NUMBER.fullmatch(token):
        return 0
    body = token.lstrip("+-")
    if body[:2].lower() in ("0x", "0o", "0b"):
        return len(body) - 2 - body.count("_")
    return sum(char.isdigit() for char in re.split("[eE]", body)[0])


# --------------------------------------------------------------------------- the data, measured


class _Measure:
    """Walks parsed data without recursion: depth, number size and (YAML) shared nodes."""

    def __init__(self, path: str, *, text_length: int | None = None, line_offset: int = 0):
        self.path = path
        self.text_length = text_length  # YAML: scalars cannot hold more text than the file unless aliased
        self.line_offset = line_offset

    def check(self, data: Any, locate: Callable[[str], int | None] = lambda what: None) -> None:
        depth_limit = limits.int_value("max-depth")
        digit_limit = limits.int_value("max-number-digits")
        biggest = 10 ** digit_limit
        seen: set[int] = set()
        text_total = 0
        stack: list[tuple[Any, int]] = [(data, 0)]
        while stack:
            node, depth = stack.pop()
            if isinstance(node, (dict, list, tuple, set)):
                if depth + 1 > depth_limit:
                    raise _too_deep(self.path, locate("depth"), self.line_offset)
                if self.text_length is not None:
                    if id(node) in seen:
                        raise _alias_error(self.path, locate("alias"), self.line_offset)
                    seen.add(id(node))
                children = [*node.keys(), *node.values()] if isinstance(node, dict) else node
                stack.extend((child, depth + 1) for child in children)
            elif isinstance(node, bool):
                continue
            elif isinstance(node, int):
                if not -biggest < node < biggest:
                    raise _too_long_number(len(str(abs(node))) if node.bit_length() < 14_000 else digit_limit + 1,
                                           self.path, locate("number"), self.line_offset)
            elif isinstance(node, (str, bytes)) and self.text_length is not None:
                text_total += len(node)
                if text_total > self.text_length:
                    raise _alias_error(self.path, locate("alias"), self.line_offset)


def _alias_error(path: str, line: int | None, line_offset: int = 0) -> InputError:
    return InputError("YAML aliases (*name) are not allowed here; write the value out in full",
                      path=path, line=line + line_offset if line else None)


# --------------------------------------------------------------------------- YAML


class _YamlScan:
    """One pass over a YAML text: nesting depth, aliases and long numbers, each with its line.

    Block structure is followed by indentation (a stack of open mappings and
    sequences), flow structure by brackets; quoted scalars, block scalars,
    multi-line plain scalars and comments are skipped, so brackets and stars
    inside text do not count.
    """

    def __init__(self, text: str, path: str, line_offset: int):
        self.path = path
        self.line_offset = line_offset
        self.depth_limit = limits.int_value("max-depth")
        self.digit_limit = limits.int_value("max-number-digits")
        self.check_numbers = _long_digit_run(text) is not None
        self.blocks: list[tuple[int, str]] = []  # (column, "map" | "seq")
        self.flow = 0  # open flow collections
        # Per open flow collection: whether the entry being read is a `key: value`
        # pair inside [...], which YAML makes a one-pair mapping (a level of its own).
        self.flow_pairs: list[bool] = []
        self.flow_kinds: list[str] = []
        self.quote = ""  # a quoted scalar left open at the end of a line
        self.skip_above: int | None = None  # lines indented past this column are scalar text
        self.max_indent = 0
        self.line = 0

    # -- reporting

    def _deeper(self) -> None:
        if len(self.blocks) + self.flow + sum(self.flow_pairs) > self.depth_limit:
            raise _too_deep(self.path, self.line, self.line_offset)

    def _number(self, token: str) -> None:
        if self.check_numbers:
            digits = _number_digits(token)
            if digits > self.digit_limit:
                raise _too_long_number(digits, self.path, self.line, self.line_offset)

    def _alias(self) -> None:
        raise _alias_error(self.path, self.line, self.line_offset)

    # -- structure

    def _open(self, column: int, kind: str) -> None:
        while self.blocks and self.blocks[-1][0] > column:
            self.blocks.pop()
        if self.blocks and self.blocks[-1][0] == column:
            top = self.blocks[-1][1]
            if top == kind:
                return
            if kind == "map":  # a key at a sequence's column ends the sequence (`key:` then `- a`)
                self.blocks.pop()
                if self.blocks and self.blocks[-1] == (column, "map"):
                    return
        self.blocks.append((column, kind))
        self._deeper()

    def run(self, text: str) -> None:
        for self.line, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
            self._scan_line(line)

    def _scan_line(self, line: str) -> None:
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        self.max_indent = max(self.max_indent, indent)
        if self.skip_above is not None:
            if not stripped.strip() or indent > self.skip_above:
                return
            self.skip_above = None
        position = 0
        if self.quote:
            position = self._close_quote(line, 0, self.quote)
            if position < 0:
                return
            self.quote = ""
            if not self.flow:
                return
        if self.flow:
            self._flow(line, position)
            return
        if not stripped.strip() or stripped.startswith("#") or (indent == 0 and stripped.startswith("%")):
            return
        owner = indent - 1
        if indent == 0 and stripped[:3] in ("---", "...") and stripped[3:4] in ("", " ", "\t"):
            self.blocks.clear()
            position, owner = 3, -1
            position = self._skip_spaces(line, position)
            if position >= len(line) or line[position] == "#":
                return
            self._value(line, position, owner)
            return
        while self.blocks and self.blocks[-1][0] > indent:
            self.blocks.pop()
        position = indent
        # `- ` opens a sequence entry, `? ` an explicit key and `: ` its value.
        while line[position:position + 1] in ("-", "?", ":") and line[position + 1:position + 2] in ("", " ", "\t"):
            self._open(position, "seq" if line[position] == "-" else "map")
            owner = position
            position = self._skip_spaces(line, position + 1)
            if position >= len(line) or line[position] == "#":
                return
        self._node(line, position, owner)

    @staticmethod
    def _skip_spaces(line: str, position: int) -> int:
        while position < len(line) and line[position] in " \t":
            position += 1
        return position

    @staticmethod
    def _close_quote(line: str, position: int, quote: str) -> int:
        """The column after the closing quote, or -1 if the scalar goes on past this line."""
        match = (_SINGLE_QUOTED_REST if quote == "'" else _DOUBLE_QUOTED_REST).match(line, position)
        return match.end() if match else -1

    def _properties(self, line: str, position: int) -> int:
        while position < len(line) and line[position] in "&!":
            position = _PROPERTY.match(line, position).end()
        return position

    def _node(self, line: str, position: int, owner: int) -> None:
        """A block node at ``position`` that may be a ``key: value`` pair."""
        position = self._properties(line, position)
        if position >= len(line):
            return
        char = line[position]
        if char == "*":
            self._alias()
        if char in "[{":
            self._flow(line, position)
            return
        if char in "|>":
            self.skip_above = owner
            return
        if char in "'\"":
            end = self._close_quote(line, position + 1, char)
            if end < 0:
                self.quote = char
                return
            colon = _QUOTED_KEY_COLON.match(line, end)
            if colon:
                self._open(position, "map")
                self._value(line, colon.end(), position)
            return
        if char == "#":
            return
        end = _PLAIN_END.search(line, position)
        if end and line[end.start()] == ":":
            self._number(line[position:end.start()])
            self._open(position, "map")
            self._value(line, end.end(), position)
            return
        self._number(line[position:end.start() if end else len(line)])
        self.skip_above = owner

    def _value(self, line: str, position: int, owner: int) -> None:
        """The value after ``key:`` (or ``---``) on the same line."""
        position = self._properties(line, self._skip_spaces(line, position))
        if position >= len(line) or line[position] == "#":
            return
        char = line[position]
        if char == "*":
            self._alias()
        if char in "[{":
            self._flow(line, position)
        elif char in "|>":
            self.skip_above = owner
        elif char in "'\"":
            if self._close_quote(line, position + 1, char) < 0:
                self.quote = char
        else:
            end = _PLAIN_END.search(line, position)
            self._number(line[position:end.start() if end else len(line)])
            self.skip_above = owner

    def _flow(self, line: str, position: int) -> None:
        """Brackets, quotes, comments and aliases inside ``[...]`` / ``{...}``."""
        # The last significant character decides whether a node starts here:
        # after [ { , : ? (or at the start of a line) a quote opens a scalar
        # and a star is an alias; elsewhere both are plain text.
        previous = "" if not line[:position].strip() else "x"
        while True:
            found = _FLOW_TOKEN.search(line, position)
            gap = line[position:found.start() if found else len(line)].strip()
            if gap:
                if previous in _NODE_START:
                    self._number(gap)
                previous = gap[-1]
            if not found:
                return
            char, at = found.group(), found.start()
            at_node = previous in _NODE_START
            position = at + 1
            if char in "[{":
                self.flow += 1
                self.flow_pairs.append(False)
                self.flow_kinds.append(char)
                self._deeper()
            elif char in "]}":
                self.flow = max(0, self.flow - 1)
                if self.flow_pairs:
                    self.flow_pairs.pop()
                    self.flow_kinds.pop()
                if not self.flow:
                    return
            elif char == "," and self.flow_pairs:
                self.flow_pairs[-1] = False
            elif (char == ":" and self.flow_kinds[-1:] == ["["] and not self.flow_pairs[-1]
                  and (previous in ("'", '"') or line[at + 1:at + 2] in ("", " ", "\t", ",", "[", "]", "{", "}"))):
                self.flow_pairs[-1] = True
                self._deeper()
            elif char in "'\"" and at_node:
                end = self._close_quote(line, at + 1, char)
                if end < 0:
                    self.quote = char
                    return
                position = end
            elif char == "#" and (at == 0 or line[at - 1] in " \t"):
                return
            elif char == "*" and at_node:
                self._alias()
            elif char in "&!" and at_node:
                position = _PROPERTY.match(line, at).end()
                continue
            previous = char


def _yaml_error(error: Exception, text: str, path: str, line_offset: int) -> InputError:
    from ruamel.yaml.error import MarkedYAMLError
    from ruamel.yaml.reader import ReaderError

    if isinstance(error, MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        context = f" ({error.context})" if error.context and error.problem else ""
        line = mark.line + 1 + line_offset if mark is not None else None
        return InputError(f"invalid YAML: {problem}{context}", path=path, line=line)
    if isinstance(error, ReaderError):
        return InputError(f"invalid YAML: {error.reason}", path=path,
                          line=_line_at(text, error.position) + line_offset)
    return InputError(f"invalid YAML: {error}", path=path)


def _scan_yaml(text: str, path: str, line_offset: int) -> _YamlScan:
    _check_size(text, path)
    bad = _NON_PRINTABLE.search(text)
    if bad:
        line = _line_at(text, bad.start())
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        raise InputError(f"control character U+{ord(bad.group()):04X} (column {column}) is not allowed "
                         f"in YAML; remove it or write it as an escape in a double-quoted string",
                         path=path, line=line + line_offset)
    scan = _YamlScan(text, path, line_offset)
    scan.run(text)
    return scan


def _locator(text: str, line_offset: int) -> Callable[[str], int | None]:
    """Best-effort line for a problem only the parsed data showed."""
    def locate(what: str) -> int | None:
        if what == "alias":
            found = re.search(r"(?:^|[\s\[{,:])\*[^\s,\[\]{}]", text)
        elif what == "number":
            found = _long_digit_run(text)
        else:
            found = None
        return _line_at(text, found.start() + (found.group()[:1] in "\n")) if found else None
    return locate


def _run_yaml(load: Callable[[], Any], text: str, path: str, line_offset: int) -> Any:
    from ruamel.yaml.error import YAMLError

    try:
        return load()
    except YAMLError as error:
        raise _yaml_error(error, text, path, line_offset) from None
    except RecursionError:
        raise _parser_gave_up(path) from None
    except ValueError as error:
        if "integer string conversion" in str(error):  # a number the scan missed, too long for int()
            raise _too_long_number(limits.int_value("max-number-digits") + 1, path,
                                   _locator(text, line_offset)("number"), line_offset) from None
        raise InputError(f"invalid YAML: {error}", path=path) from None
    except Exception as error:  # noqa: BLE001 - whatever the loader trips on, the file is at fault
        raise InputError(f"invalid YAML: {error.__class__.__name__}: {error}", path=path) from None


def load_yaml(text: str, path: str, *, line_offset: int = 0) -> Any:
    """The values of a YAML document (safe loader), bounded; errors name ``path`` and the line.

    ``line_offset`` is added to every line (front matter after a ``---`` line).
    """
    from ruamel.yaml import YAML

    scan = _scan_yaml(text, path, line_offset)
    # An upper bound the scan cannot get wrong: every level is a bracket, an
    # indentation step (two levels per column at most: a key and the sequence
    # under it at the same column) or one of fewer than 32 `- ` on one line.
    could_reach = text.count("[") + text.count("{") + 2 * (scan.max_indent + 1) + 32
    pure = could_reach > _C_LOADER_SAFE_DEPTH or _COMPACT_RUN.search(text) is not None
    data = _run_yaml(lambda: YAML(typ="safe", pure=pure).load(text), text, path, line_offset)
    _Measure(path, text_length=len(text), line_offset=line_offset).check(data, _locator(text, line_offset))
    return data


def yaml_positions(text: str, path: str, *, line_offset: int = 0) -> Any:
    """The document as round-trip nodes, which know the line of each key (``node.lc``).

    Slower than :func:`load_yaml`; call it to place an error. The text is
    checked as :func:`load_yaml` does, and the pure-Python round-trip loader
    fails with an exception, never a crash.
    """
    import io

    from ruamel.yaml import YAML

    _scan_yaml(text, path, line_offset)
    return _run_yaml(lambda: YAML(typ="rt", pure=True).load(io.StringIO(text)), text, path, line_offset)


# --------------------------------------------------------------------------- JSON

_JSON_STRING = _Lazy(r'"(?:[^"\\\n]|\\.)*+"')
_JSON_BRACKET = _Lazy(r"[\[\]{}]")


class _NumberRefused(Exception):
    def __init__(self, literal: str, error: InputError | None = None, message: str = ""):
        super().__init__(literal)
        self.literal = literal
        self.error = error
        self.message = message


def _json_skeleton(text: str) -> str:
    """The text with every string emptied; lines stay where they were."""
    return _JSON_STRING.sub('""', text)


def _json_depth(skeleton: str, path: str) -> None:
    depth_limit = limits.int_value("max-depth")
    if skeleton.count("[") + skeleton.count("{") <= depth_limit:
        return
    depth = 0
    for bracket in _JSON_BRACKET.finditer(skeleton):
        if bracket.group() in "[{":
            depth += 1
            if depth > depth_limit:
                raise _too_deep(path, _line_at(skeleton, bracket.start()))
        else:
            depth -= 1


def load_json(text: str, path: str, *, decoder: type[json.JSONDecoder] | None = None) -> Any:
    """Parsed JSON, bounded: depth, long numbers, NaN and Infinity are refused with their line.

    ``decoder`` is a :class:`json.JSONDecoder` subclass that accepts the
    usual keyword options (``parse_int``, ``parse_float``, ``parse_constant``).
    """
    import json

    _check_size(text, path)
    skeleton = _json_skeleton(text)
    _json_depth(skeleton, path)
    digit_limit = limits.int_value("max-number-digits")

    def parse_int(literal: str) -> int:
        digits = len(literal.lstrip("-"))
        if digits > digit_limit:
            raise _NumberRefused(literal, _too_long_number(digits, path, None))
        return int(literal)

    def parse_float(literal: str) -> float:
        mantissa = re.split(r"[eE]", literal)[0]
        digits = sum(ch.isdigit() for ch in mantissa)
        if digits > digit_limit:
            raise _NumberRefused(literal, _too_long_number(digits, path, None))
        number = float(literal)
        if number in (float("inf"), float("-inf")):
            raise _NumberRefused(literal, message=f"number {literal} is out of range")
        return number

    def parse_constant(literal: str) -> float:
        raise _NumberRefused(literal, message=f"{literal} is not a number JSON allows")

    try:
        return json.loads(text, cls=decoder, parse_int=parse_int, parse_float=parse_float,
                          parse_constant=parse_constant)
    except json.JSONDecodeError as error:
        raise InputError(f"invalid JSON: {error.msg} (column {error.colno})", path=path, line=error.lineno) from None
    except _NumberRefused as refused:
        found = re.search(r"(?<![\w.+-])" + re.escape(refused.literal) + r"(?![\w.+-])", skeleton)
        line = _line_at(skeleton, found.start()) if found else None
        if refused.error is not None:
            raise InputError(refused.error.detail, path=path, line=line) from None
        raise InputError(f"invalid JSON: {refused.message}", path=path, line=line) from None
    except RecursionError:
        raise _parser_gave_up(path) from None


# --------------------------------------------------------------------------- TOML

_TOML_STRING = _Lazy(
    r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*+"""(?:"{1,2}(?!"))?'
    r"|'''(?:[^']|'(?!''))*+'''(?:'{1,2}(?!'))?"
    r'|"(?:[^"\\\n]|\\.)*+"'
    r"|'[^'\n]*+'"
    r"|#[^\n]*")
_TOML_HEADER = _Lazy(r"[ \t]*\[\[?([^\[\]]*)\]\]?[ \t]*$")


def _toml_skeleton(text: str) -> str:
    """The text with strings emptied and comments removed; lines stay where they were."""
    return _TOML_STRING.sub(lambda m: "\n" * m.group().count("\n") + ("" if m.group()[0] == "#" else '""'), text)


def _toml_scan(skeleton: str, path: str) -> None:
    depth_limit = limits.int_value("max-depth")
    long_number = _long_digit_run(skeleton)
    if long_number:
        raise _too_long_number(_number_digits(long_number.group()) or len(long_number.group()), path,
                               _line_at(skeleton, long_number.start()))
    if skeleton.count("[") + skeleton.count("{") + skeleton.count(".") < depth_limit:
        return
    # Levels, as the parsed data counts them: the root table is level 1,
    # `[a.b]` holds its keys at level 3, `[[a.b]]` at level 4 (b is a list),
    # `x.y = [[1]]` puts its numbers at level (table) + 1 + 2.
    table_level = 1
    value_level = 1
    brackets = 0
    for number, line in enumerate(skeleton.split("\n"), start=1):
        start = 0
        if not brackets:
            header = _TOML_HEADER.match(line)
            if header:
                table_level = header.group(1).count(".") + (3 if line.lstrip().startswith("[[") else 2)
                if table_level > depth_limit:
                    raise _too_deep(path, number)
                continue
            key, equals, _ = line.partition("=")
            if equals:
                start = len(key) + 1
                value_level = table_level + key.count(".")
                if value_level > depth_limit:
                    raise _too_deep(path, number)
        for bracket in _JSON_BRACKET.finditer(line, start):
            if bracket.group() in "[{":
                brackets += 1
                if value_level + brackets > depth_limit:
                    raise _too_deep(path, number)
            else:
                brackets = max(0, brackets - 1)


def load_toml(text: str, path: str) -> dict:
    """Parsed TOML, bounded: depth and long numbers are refused, errors name the line."""
    import tomllib

    _check_size(text, path)
    _toml_scan(_toml_skeleton(text), path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        where = re.search(r"at line (\d+)", str(error))
        detail = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        raise InputError(f"invalid TOML: {detail}", path=path, line=int(where.group(1)) if where else None) from None
    except RecursionError:
        raise _parser_gave_up(path) from None
    except ValueError as error:  # a number the scan missed
        raise InputError(f"invalid TOML: {str(error).split(';')[0]}", path=path) from None
    _Measure(path).check(data)
    return data
