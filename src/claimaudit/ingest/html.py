"""Web pages: the visible copy of an HTML file, block by block.

selectolax (lexbor) parses the page as a browser would, so broken markup
still yields its text. Headings, paragraphs, list items, table cells, image
alt text, the title and the meta description become blocks, each with its
scope (``title``, ``meta``, ``alt``; ``header``, ``footer`` and ``aside`` for
text in those regions of the page). Navigation, forms and sign-up or cookie
widgets are read but set aside, so the reports can list them as not audited;
scripts, styles and embedded documents are not read at all.

selectolax does not report where a node sat in the source, so the raw file
is scanned once for its character data (entities decoded, each character
remembering its raw offset) and the parser's text nodes are matched against
that stream in document order.
"""

from __future__ import annotations

import html as html_entities
import re
from array import array
from typing import Iterator

from selectolax.lexbor import LexborHTMLParser, LexborNode

from claimaudit.ingest.boilerplate import REPEAT, drop_widgets
from claimaudit.ingest.mapped import MappedText, PendingBlock
from claimaudit.ingest.suppressions import parse_suppression

# Never read: code, embedded documents and media hold no copy.
NEVER_READ = frozenset({
    "head", "script", "style", "noscript", "template", "iframe", "svg", "math", "canvas",
    "object", "embed",
})
NAVIGATION = "navigation"
FORM = "a form"
BUTTON = "a button"
DIALOG = "a dialog or pop-up"
# Read but set aside, with why: the reports list their text as not audited.
SET_ASIDE_TAGS = {
    "nav": NAVIGATION, "menu": NAVIGATION, "form": FORM, "button": BUTTON, "select": FORM,
    "option": FORM, "textarea": FORM, "dialog": DIALOG,
}
# Page regions whose text is audited and reported with its scope. An
# article's own header and footer (its title, byline, citation) are its body.
REGION_TAGS = {"header": "header", "footer": "footer", "aside": "aside"}
_KEPT_INSIDE = frozenset({"article", "main"})
_CHROME_TAGS = frozenset({"header", "footer"})

# Elements that start a new block; anything else (inline markup, custom
# elements) flows into the surrounding text, as a browser would render it.
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li",
    "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "ul", "video", "audio", "listing", "plaintext", "xmp",
})

_KIND_BY_TAG = {
    **{f"h{level}": "heading" for level in range(1, 7)},
    "li": "list-item", "td": "cell", "th": "cell",
}

# class / id words that mark widgets, navigation and regions rather than copy
_WIDGET_WORDS = frozenset({
    "newsletter", "subscribe", "subscription", "cookie", "cookies", "consent", "gdpr",
    "popup", "popups", "modal", "share", "sharing", "sharer", "sharebar", "signup", "optin",
    "lightbox", "offcanvas", "toolbar",
})
_WIDGET_PAIRS = frozenset({
    ("request", "info"), ("request", "information"), ("sign", "up"), ("opt", "in"),
    ("social", "share"), ("social", "icons"), ("social", "links"), ("pop", "up"),
})
_NAVIGATION_WORDS = frozenset({"menu", "navbar", "navigation", "breadcrumb", "breadcrumbs", "skiplink"})
_NAVIGATION_PAIRS = frozenset({("skip", "link"), ("related", "posts")})
_ASIDE_WORDS = frozenset({"sidebar"})
_ASIDE_PAIRS = frozenset({("side", "bar")})
_NAVIGATION_ROLES = frozenset({"navigation", "menu", "menubar"})
_WIDGET_ROLES = frozenset({"dialog", "alertdialog", "search", "toolbar"})
_REGION_ROLES = {"banner": "header", "contentinfo": "footer", "complementary": "aside"}
# Metadata that describes the page to search engines and link previews.
_META_DESCRIPTIONS = frozenset({"description", "og:description", "twitter:description"})
# Set-aside text is listed, not audited: a mega-menu is cut to this length.
SET_ASIDE_MAX_CHARS = 300
# How many tags ahead an image or meta tag is looked for in the file.
_TAG_LOOKAHEAD = 64
# A "widget" holding most of the page is a layout wrapper, not a widget.
_MAX_WIDGET_SHARE = 0.5

_TAG_LIKE = re.compile(r"<(?:[A-Za-z][A-Za-z0-9-]*|/[A-Za-z]|!--|!doctype)", re.IGNORECASE)
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")

# --- locating text in the raw file -------------------------------------------------

_MARKUP = re.compile(
    r"""<!---?>                        # the empty comments <!--> and <!--->
      | <!--.*?(?:-->|$)              # comment
      | <![^>]*>                      # doctype, CDATA start
      | <\?.*?>                       # processing instruction
      | </?[A-Za-z][^\s/>]*(?>=\s*"[^"]*"|=\s*'[^']*'|[^>])*+>   # tag: quotes open a value only after =, as the parser reads them
    """,
    re.VERBOSE | re.DOTALL,
)
_RAW_TEXT_ELEMENTS = ("script", "style", "xmp", "iframe", "noembed", "noframes", "plaintext")
_ESCAPABLE_RAW_TEXT_ELEMENTS = ("title", "textarea")
_NUL = re.compile("\x00+")
_ENTITY = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)")


def _character_stream(raw: str, tags: list[tuple[str, int, int]] | None = None) -> MappedText:
    """All character data of the raw page, entities decoded, with raw offsets.

    ``tags`` collects where each ``img`` and ``meta`` tag stands, for their attributes.
    """
    texts: list[str] = []
    # One array filled in place: pieces joined at the end would hold the
    # offsets of a large page twice.
    offsets: "array[int]" = array("q")

    def add_text(start: int, end: int, decode: bool) -> None:
        if decode and ("&" in raw[start:end] or "\x00" in raw[start:end]):
            segment = MappedText.from_raw(raw, start, end)
            if "\x00" in segment.text:
                # The parser drops NUL characters from text, so the stream does too.
                segment = segment.sub(_NUL, lambda match: [])
            if "&" in segment.text:
                segment = segment.sub(_ENTITY, _decode_entity)
            texts.append(segment.text)
            offsets.extend(segment.offsets)
        else:
            texts.append(raw[start:end])
            offsets.extend(range(start, end))

    position = 0
    for match in _MARKUP.finditer(raw):
        if match.start() < position:
            continue
        add_text(position, match.start(), decode=True)
        position = match.end()
        tag = match.group(0)
        name = re.match(r"<([A-Za-z][A-Za-z0-9]*)", tag)
        element = name.group(1).lower() if name and not tag.startswith("</") else ""
        if tags is not None and element in _ATTRIBUTE_TAGS:
            tags.append((element, match.start(), match.end()))
        if element in _RAW_TEXT_ELEMENTS or element in _ESCAPABLE_RAW_TEXT_ELEMENTS:
            # Up to its end tag this is text, whatever looks like markup in it;
            # title and textarea still decode their character references.
            closing = re.compile(rf"</{element}\s*>", re.IGNORECASE).search(raw, position)
            end = closing.start() if closing else len(raw)
            add_text(position, end, decode=element in _ESCAPABLE_RAW_TEXT_ELEMENTS)
            position = end
    add_text(position, len(raw), decode=True)
    return MappedText("".join(texts), offsets)


_ATTRIBUTE_TAGS = ("img", "meta")
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")


def _attribute_text(raw: str, start: int, end: int, wanted: str) -> MappedText | None:
    """The value of attribute ``wanted`` in the tag ``raw[start:end]``, decoded, with raw offsets."""
    name_end = start + 1
    while name_end < end and not raw[name_end].isspace() and raw[name_end] not in "/>":
        name_end += 1
    for match in _ATTRIBUTE.finditer(raw, name_end, end - 1):
        if match.group(1).lower() != wanted:
            continue
        for group in (2, 3, 4):
            if match.group(group) is not None:
                value = MappedText.from_raw(raw, match.start(group), match.end(group))
                return value.sub(_ENTITY, _decode_entity) if "&" in value.text else value
        return None
    return None


class _TagFinder:
    """Finds, in file order, the raw tag an ``img`` or ``meta`` node came from."""

    def __init__(self, raw: str, tags: list[tuple[str, int, int]]):
        self.raw = raw
        self.tags = {name: [(s, e) for t, s, e in tags if t == name] for name in _ATTRIBUTE_TAGS}
        self.cursor = {name: 0 for name in _ATTRIBUTE_TAGS}

    def value(self, element: str, attribute: str, parsed: str, fallback: int) -> MappedText:
        """``parsed`` (the parser's decoded value) with the raw offsets of its characters."""
        wanted = " ".join(parsed.split())
        spans = self.tags.get(element, [])
        first = self.cursor.get(element, 0)
        for index in range(first, min(len(spans), first + _TAG_LOOKAHEAD)):
            found = _attribute_text(self.raw, spans[index][0], spans[index][1], attribute)
            if found is not None and " ".join(found.text.split()) == wanted:
                self.cursor[element] = index + 1
                return found.collapse_whitespace()
        # Rewritten by the parser: every character at the place the node was met.
        return MappedText.literal(wanted, fallback)


def _numeric_reference(reference: str) -> str:
    """A numeric character reference decoded as the HTML parser decodes it.

    ``html.unescape`` drops references to control characters ("&#1;"), where
    the parser keeps the character; the two must agree for text to be found
    at its offset.
    """
    digits = reference[2:].rstrip(";")
    try:
        number = int(digits[1:], 16) if digits[:1] in ("x", "X") else int(digits)
    except ValueError:
        return reference
    if number == 0 or number > 0x10FFFF or 0xD800 <= number <= 0xDFFF:
        return "\ufffd"
    if 0x80 <= number <= 0x9F:
        return html_entities.unescape(reference if reference.endswith(";") else reference + ";")
    return chr(number)


def _decode_entity(match: "re.Match[str]") -> list:
    reference = match.group(0)
    decoded = _numeric_reference(reference) if reference.startswith("&#") else html_entities.unescape(reference)
    return [0] if decoded == reference else [decoded]


def _iter_nodes(root: LexborNode) -> Iterator[LexborNode]:
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        children = list(node.iter(include_text=True))
        stack.extend(reversed(children))


def _locate_text_nodes(root: LexborNode, stream: MappedText) -> dict[int, "array[int]"]:
    """Raw offsets for every text node, matched in document order."""
    located: dict[int, "array[int]"] = {}
    cursor = 0
    haystack = stream.text
    last_offset = 0
    for node in _iter_nodes(root):
        if node.tag != "-text":
            continue
        text = node.text(deep=False)
        if not text:
            continue
        if not text.strip():
            located[node.mem_id] = array("q", [last_offset]) * len(text)
            continue
        index = haystack.find(text, cursor)
        if index < 0:
            # The parser moves some text (foster-parented table text) or
            # rewrites it; look anywhere, then settle for the stripped text.
            index = haystack.find(text)
        if index >= 0:
            offsets = stream.offsets[index:index + len(text)]
            cursor = max(cursor, index + len(text))
        else:
            core = text.strip()
            index = haystack.find(core, cursor)
            lead = len(text) - len(text.lstrip())
            if index >= 0:
                start = stream.offsets[index]
                offsets = (array("q", [start]) * lead + stream.offsets[index:index + len(core)]
                           + array("q", [stream.offsets[index + len(core) - 1]]) * (len(text) - lead - len(core)))
                cursor = index + len(core)
            else:
                offsets = array("q", [last_offset]) * len(text)
        located[node.mem_id] = offsets
        if offsets:
            last_offset = offsets[-1]
    return located


# --- deciding what is copy -------------------------------------------------------


def _attribute_words(node: LexborNode) -> list[str]:
    attributes = node.attributes
    words: list[str] = []
    for name in ("class", "id"):
        value = attributes.get(name)
        if value:
            value = _CAMEL.sub("-", value)
            words.extend(word for word in _WORD_SPLIT.split(value.lower()) if word)
    return words


def _marked(node: LexborNode) -> tuple[str, str]:
    """What a node's role, class or id marks it as: ("set-aside", why), ("region", scope) or ("", "")."""
    role = (node.attributes.get("role") or "").strip().lower()
    if role in _NAVIGATION_ROLES:
        return "set-aside", NAVIGATION
    if role in _WIDGET_ROLES:
        return "set-aside", f"a page widget (role {role!r})"
    words = _attribute_words(node)
    pairs = list(zip(words, words[1:]))
    for word in words:
        if word in _WIDGET_WORDS:
            return "set-aside", f"a page widget (marked {word!r})"
    for pair in pairs:
        if pair in _WIDGET_PAIRS:
            return "set-aside", f"a page widget (marked {'-'.join(pair)!r})"
    if any(word in _NAVIGATION_WORDS for word in words) or any(pair in _NAVIGATION_PAIRS for pair in pairs):
        return "set-aside", NAVIGATION
    if role in _REGION_ROLES:
        return "region", _REGION_ROLES[role]
    if any(word in _ASIDE_WORDS for word in words) or any(pair in _ASIDE_PAIRS for pair in pairs):
        return "region", "aside"
    return "", ""


def _inside(node: LexborNode, tags: frozenset[str]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag in tags:
            return True
        parent = parent.parent
    return False


class _Extractor:
    def __init__(self, root: LexborNode, located: dict[int, "array[int]"], tags: _TagFinder):
        self.located = located
        self.tags = tags
        self.blocks: list[PendingBlock] = []
        self.pending_suppressions: tuple[tuple[str, str], ...] = ()
        self.run: list[MappedText] = []
        self.run_suppressions: tuple[tuple[str, str], ...] = ()
        self.deferred: list[PendingBlock] = []
        self.last_offset = 0
        self.page_length = max(len(root.text(deep=True, separator=" ")), 1)

    def treatment(self, node: LexborNode) -> tuple[str, str]:
        """How a node is read: ("drop", ""), ("set-aside", why), ("region", scope) or ("", "")."""
        tag = node.tag
        if tag in ("html", "body", "main", "article"):
            return "", ""
        if tag in NEVER_READ:
            return "drop", ""
        if tag in SET_ASIDE_TAGS:
            return "set-aside", SET_ASIDE_TAGS[tag]
        how, detail = _marked(node)
        if how:
            share = len(node.text(deep=True, separator=" ")) / self.page_length
            # A "widget" holding most of the page is a layout wrapper, not a widget.
            if share <= _MAX_WIDGET_SHARE:
                return how, detail
        if tag in REGION_TAGS and not (tag in _CHROME_TAGS and _inside(node, _KEPT_INSIDE)):
            return "region", REGION_TAGS[tag]
        return "", ""

    def offsets_of(self, node: LexborNode, text: str) -> "array[int]":
        return self.located.get(node.mem_id) or array("q", [self.last_offset]) * len(text)

    def add_text(self, node: LexborNode) -> None:
        text = node.text(deep=False)
        if not text:
            return
        offsets = self.offsets_of(node, text)
        if not self.run_has_text() and text.strip():
            self.run_suppressions = self.pending_suppressions
            self.pending_suppressions = ()
        self.run.append(MappedText(text, offsets))
        self.last_offset = offsets[-1]

    def add_space(self) -> None:
        self.run.append(MappedText.literal(" ", self.last_offset))

    def add_alt(self, node: LexborNode) -> None:
        """An image's alt text: a block of its own, after the block the image sits in."""
        alt = node.attributes.get("alt") or ""
        if not alt.strip():
            return
        block = PendingBlock(self.tags.value("img", "alt", alt, self.last_offset), scope="alt")
        if self.run_has_text():
            self.deferred.append(block)
        else:
            self.blocks.append(block)

    def set_aside(self, node: LexborNode, why: str, scope: str) -> None:
        """A whole subtree (a menu, a widget) as one piece of text that is listed, not audited."""
        parts: list[MappedText] = []
        length = 0
        stack = [node]
        while stack and length <= SET_ASIDE_MAX_CHARS:
            current = stack.pop()
            tag = current.tag
            if tag == "-text":
                text = current.text(deep=False)
                if text and text.strip():
                    offsets = self.offsets_of(current, text)
                    parts += [MappedText(text, offsets), MappedText.literal(" ", offsets[-1])]
                    length += len(text)
                continue
            if tag is None or tag.startswith("-") or tag in NEVER_READ:
                continue
            stack.extend(reversed(list(current.iter(include_text=True))))
        content = MappedText.join(parts).collapse_whitespace()
        if len(content) > SET_ASIDE_MAX_CHARS:
            cut = content.slice(0, SET_ASIDE_MAX_CHARS).strip()
            content = cut + MappedText.literal("…", cut.offsets[-1] if cut.offsets else self.last_offset)
        if content:
            self.blocks.append(PendingBlock(content, scope=scope, set_aside=why))

    def run_has_text(self) -> bool:
        return any(part.text.strip() for part in self.run)

    def flush(self, kind: str, scope: str) -> None:
        if self.run_has_text():
            # A lone text node keeps its offsets as they are: no copy of a long one.
            joined = self.run[0] if len(self.run) == 1 else MappedText.join(self.run)
            content = joined.collapse_whitespace()
            if content:
                self.blocks.append(PendingBlock(content, kind=kind, scope=scope,
                                                suppressions=self.run_suppressions))
        self.run = []
        self.run_suppressions = ()
        if self.deferred:
            self.blocks.extend(self.deferred)
            self.deferred = []

    def walk(self, root: LexborNode) -> None:
        # Kinds and scopes of the open block elements; "" scope: by kind (see mapped.build_document).
        kinds = ["paragraph"]
        scopes = [""]
        stack: list[tuple[LexborNode, bool]] = [(root, False)]
        while stack:
            node, leaving = stack.pop()
            if leaving:
                self.flush(kinds.pop(), scopes.pop())
                continue
            tag = node.tag
            if tag == "-text":
                self.add_text(node)
                continue
            if tag == "-comment":
                self.pending_suppressions += parse_suppression(node.comment_content or "")
                continue
            if tag is None or tag.startswith("-"):
                continue
            how, detail = self.treatment(node)
            if how == "drop":
                continue
            if how == "set-aside":
                self.set_aside(node, detail, scopes[-1] or "body")
                continue
            if tag == "img":
                self.add_alt(node)
                continue
            children = list(node.iter(include_text=True))
            if tag not in BLOCK_TAGS:
                if tag == "br":
                    self.add_space()
                stack.extend((child, False) for child in reversed(children))
                continue
            self.flush(kinds[-1], scopes[-1])
            kinds.append(_KIND_BY_TAG.get(tag, kinds[-1]))
            scopes.append(detail if how == "region" else scopes[-1])
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(children))
        self.flush(kinds[-1], scopes[-1])


def _head_blocks(head: LexborNode | None, located: dict[int, "array[int]"], tags: _TagFinder) -> list[PendingBlock]:
    """The page's title and its descriptions for search engines and link previews."""
    blocks: list[PendingBlock] = []
    if head is None:
        return blocks
    for node in head.iter(include_text=False):
        if node.tag == "title":
            parts = [MappedText(child.text(deep=False), located[child.mem_id])
                     for child in node.iter(include_text=True)
                     if child.tag == "-text" and child.mem_id in located and child.text(deep=False)]
            content = MappedText.join(parts).collapse_whitespace()
            if content:
                blocks.append(PendingBlock(content, scope="title", heading=""))
        elif node.tag == "meta":
            attributes = node.attributes
            name = (attributes.get("name") or attributes.get("property") or "").strip().lower()
            value = attributes.get("content") or ""
            if name in _META_DESCRIPTIONS and value.strip():
                blocks.append(PendingBlock(tags.value("meta", "content", value, 0), scope="meta", heading=""))
    return blocks


def looks_like_html(raw: str) -> bool:
    return bool(_TAG_LIKE.search(raw))


def extract_html_blocks(raw: str) -> list[PendingBlock]:
    """The blocks of a page: its title and description, then its copy, with
    navigation, widgets and repeated furniture set aside (``PendingBlock.set_aside``)."""
    tree = LexborHTMLParser(raw)
    root = tree.root
    if root is None:
        return []
    positions: list[tuple[str, int, int]] = []
    located = _locate_text_nodes(root, _character_stream(raw, positions))
    tags = _TagFinder(raw, positions)
    head = _head_blocks(tree.head, located, tags)
    extractor = _Extractor(tree.body or root, located, tags)
    extractor.walk(tree.body or root)
    body = drop_widgets(extractor.blocks)
    # The title and descriptions often repeat a heading or each other: audited once, where the copy says it.
    seen = {block.key for block in body if not block.set_aside}
    for block in head:
        if block.key in seen:
            block.set_aside = REPEAT
        seen.add(block.key)
    return head + body
