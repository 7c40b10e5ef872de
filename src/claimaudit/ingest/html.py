"""Web pages: the visible copy of an HTML file, block by block.

selectolax (lexbor) parses the page as a browser would, so broken markup
still yields its text. Page furniture (navigation, header and footer,
scripts, forms, sign-up and cookie widgets) is dropped. Headings, paragraphs,
list items and table cells become blocks.

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

from claimaudit.ingest.boilerplate import drop_widgets
from claimaudit.ingest.mapped import MappedText, PendingBlock
from claimaudit.ingest.suppressions import parse_suppression

# Never copy: code, embedded documents, navigation and page chrome, forms.
DROPPED_TAGS = frozenset({
    "head", "script", "style", "noscript", "template", "nav", "header", "footer", "aside",
    "form", "iframe", "svg", "math", "canvas", "object", "embed", "button", "select",
    "option", "textarea", "dialog", "menu",
})
# Article headers and footers hold the title, byline and often the citation.
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

# class / id words that mark widgets and chrome rather than copy
_BOILERPLATE_WORDS = frozenset({
    "newsletter", "subscribe", "subscription", "cookie", "cookies", "consent", "gdpr",
    "popup", "popups", "modal", "sidebar", "menu", "navbar", "navigation", "breadcrumb",
    "breadcrumbs", "share", "sharing", "sharer", "sharebar", "signup", "optin", "lightbox",
    "offcanvas", "toolbar", "skiplink",
})
_BOILERPLATE_PAIRS = frozenset({
    ("request", "info"), ("request", "information"), ("sign", "up"), ("opt", "in"),
    ("social", "share"), ("social", "icons"), ("social", "links"), ("pop", "up"),
    ("side", "bar"), ("skip", "link"), ("related", "posts"),
})
_BOILERPLATE_ROLES = frozenset({
    "navigation", "banner", "contentinfo", "complementary", "dialog", "alertdialog",
    "search", "menu", "menubar", "toolbar",
})
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


def _character_stream(raw: str) -> MappedText:
    """All character data of the raw page, entities decoded, with raw offsets."""
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
        if element in _RAW_TEXT_ELEMENTS or element in _ESCAPABLE_RAW_TEXT_ELEMENTS:
            # Up to its end tag this is text, whatever looks like markup in it;
            # title and textarea still decode their character references.
            closing = re.compile(rf"</{element}\s*>", re.IGNORECASE).search(raw, position)
            end = closing.start() if closing else len(raw)
            add_text(position, end, decode=element in _ESCAPABLE_RAW_TEXT_ELEMENTS)
            position = end
    add_text(position, len(raw), decode=True)
    return MappedText("".join(texts), offsets)


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


def _marked_as_boilerplate(node: LexborNode) -> bool:
    role = (node.attributes.get("role") or "").strip().lower()
    if role in _BOILERPLATE_ROLES:
        return True
    words = _attribute_words(node)
    if any(word in _BOILERPLATE_WORDS for word in words):
        return True
    return any(pair in _BOILERPLATE_PAIRS for pair in zip(words, words[1:]))


def _inside(node: LexborNode, tags: frozenset[str]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag in tags:
            return True
        parent = parent.parent
    return False


class _Extractor:
    def __init__(self, root: LexborNode, located: dict[int, "array[int]"]):
        self.located = located
        self.blocks: list[PendingBlock] = []
        self.pending_suppressions: tuple[tuple[str, str], ...] = ()
        self.run: list[MappedText] = []
        self.run_suppressions: tuple[tuple[str, str], ...] = ()
        self.last_offset = 0
        self.page_length = max(len(root.text(deep=True, separator=" ")), 1)

    def dropped(self, node: LexborNode) -> bool:
        tag = node.tag
        if tag in ("html", "body", "main", "article"):
            return False
        if tag in DROPPED_TAGS:
            return not (tag in _CHROME_TAGS and _inside(node, _KEPT_INSIDE))
        if _marked_as_boilerplate(node):
            share = len(node.text(deep=True, separator=" ")) / self.page_length
            return share <= _MAX_WIDGET_SHARE
        return False

    def add_text(self, node: LexborNode) -> None:
        text = node.text(deep=False)
        if not text:
            return
        offsets = self.located.get(node.mem_id) or array("q", [self.last_offset]) * len(text)
        if not self.run_has_text() and text.strip():
            self.run_suppressions = self.pending_suppressions
            self.pending_suppressions = ()
        self.run.append(MappedText(text, offsets))
        self.last_offset = offsets[-1]

    def add_space(self) -> None:
        self.run.append(MappedText.literal(" ", self.last_offset))

    def run_has_text(self) -> bool:
        return any(part.text.strip() for part in self.run)

    def flush(self, kind: str) -> None:
        if self.run_has_text():
            # A lone text node keeps its offsets as they are: no copy of a long one.
            joined = self.run[0] if len(self.run) == 1 else MappedText.join(self.run)
            content = joined.collapse_whitespace()
            if content:
                self.blocks.append(PendingBlock(content, kind=kind,
                                                suppressions=self.run_suppressions))
        self.run = []
        self.run_suppressions = ()

    def walk(self, root: LexborNode) -> None:
        kinds = ["paragraph"]
        stack: list[tuple[LexborNode, bool]] = [(root, False)]
        while stack:
            node, leaving = stack.pop()
            if leaving:
                self.flush(kinds.pop())
                continue
            tag = node.tag
            if tag == "-text":
                self.add_text(node)
                continue
            if tag == "-comment":
                self.pending_suppressions += parse_suppression(node.comment_content or "")
                continue
            if tag is None or tag.startswith("-") or self.dropped(node):
                continue
            children = list(node.iter(include_text=True))
            if tag not in BLOCK_TAGS:
                if tag == "br":
                    self.add_space()
                stack.extend((child, False) for child in reversed(children))
                continue
            self.flush(kinds[-1])
            kinds.append(_KIND_BY_TAG.get(tag, kinds[-1]))
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(children))
        self.flush(kinds[-1])


def looks_like_html(raw: str) -> bool:
    return bool(_TAG_LIKE.search(raw))


def extract_html_blocks(raw: str) -> list[PendingBlock]:
    """The copy blocks of a page, widgets and repeated furniture removed."""
    tree = LexborHTMLParser(raw)
    root = tree.root
    if root is None:
        return []
    located = _locate_text_nodes(root, _character_stream(raw))
    extractor = _Extractor(tree.body or root, located)
    extractor.walk(tree.body or root)
    return drop_widgets(extractor.blocks)
