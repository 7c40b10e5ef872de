"""Copy read from the web: one page, the pages a sitemap lists, or the pages of one site.

A reviewer audits what is live, so every page is fetched the way a polite
crawler fetches it and kept as evidence of what was read:

* a clear user agent naming the tool and its purpose;
* robots.txt (RFC 9309, parsed by protego) fetched once per host and obeyed:
  a page it disallows is never requested. A robots.txt that is missing (4xx)
  allows everything; one that cannot be read (5xx, no connection) allows
  nothing, as the RFC asks;
* requests to one host spaced by ``delay`` seconds, or by the robots.txt
  ``Crawl-delay`` / ``Request-rate`` when that asks for more;
* bounded work: ``max-fetch-seconds`` for the whole of one request (connect
  to last byte, enforced by a watchdog that closes the socket, so a server
  that trickles bytes cannot hold the run), ``max-input-bytes`` for a page or
  a sitemap, ``max-redirects`` for one address, ``max_pages`` per sitemap or
  crawl;
* only HTML (``text/html``, ``application/xhtml+xml``) is read as copy.

With a ``fetched_dir`` every response is saved there: the body
(``001-host-path.html``) and a JSON record beside it (the address asked, the
final address, the redirects, status, headers, fetch time in UTC and the
body's SHA-256), so the audit can be reproduced from what was live.

A page that cannot be read is a problem of that address, as an unreadable
file is; in a crawl or a sitemap, pages robots.txt disallows, links that are
not HTML and links past ``max_pages`` are listed as skipped.

httpx and protego are imported on the first request, so copy read from files
pays nothing for this module.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable
from urllib.parse import urljoin, urlsplit, urlunsplit

from claimaudit import __version__, limits
from claimaudit.errors import InputError
from claimaudit.ingest import CopyReading, document_from_text
from claimaudit.model import Document, InputProblem, SkippedFile

if TYPE_CHECKING:
    import httpx
    from protego import Protego

DEFAULT_MAX_PAGES = 50
DEFAULT_DELAY = 1.0
PROJECT_URL = "https://github.com/claimaudit/claimaudit"
USER_AGENT = f"claimaudit/{__version__} (+{PROJECT_URL}; compliance audit)"
ROBOTS_TOKEN = "claimaudit"  # the name robots.txt groups address this tool by
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# RFC 9309 asks crawlers to parse at least 500 KiB of a robots.txt; the rest is ignored.
ROBOTS_MAX_BYTES = 512 * 1024
# A robots.txt Crawl-delay beyond a minute is taken as a minute, so a crawl still ends.
MAX_CRAWL_DELAY = 60.0
# Links whose name says they are not a page are listed as skipped rather than fetched.
NOT_PAGE_SUFFIXES = frozenset({
    ".pdf", ".doc", ".docx", ".ppt", ".pptx", ".xls", ".xlsx", ".csv", ".zip", ".gz", ".tar",
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".ico", ".bmp", ".tif", ".tiff",
    ".mp3", ".mp4", ".m4a", ".mov", ".avi", ".webm", ".wav", ".css", ".js", ".json", ".xml",
    ".rss", ".atom", ".woff", ".woff2", ".ttf", ".eot", ".exe", ".dmg", ".apk",
})
# At most this many links past ``max_pages`` are listed one by one; the rest are counted.
MAX_LISTED_UNREAD = 200

WEB_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class WebOptions:
    """How copy is read from the web: ``--sitemap``, ``--crawl``, ``--max-pages``, ``--delay``, ``--fetched``."""

    sitemaps: tuple[str, ...] = ()
    crawls: tuple[str, ...] = ()
    max_pages: int = DEFAULT_MAX_PAGES  # pages read from one sitemap or one crawl
    delay: float = DEFAULT_DELAY  # seconds between two requests to one host
    fetched_dir: str | None = None  # where each response and its record are saved; None: not saved


def is_web_address(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def normalise_url(url: str) -> str:
    """The address as it is named in reports: scheme and host lower case, default port and
    fragment dropped, an empty path as "/". A URL that is not http(s), has no host or carries a
    user name or password is an InputError."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        raise InputError(f"not a valid web address ({error})", path=url) from None
    scheme = parts.scheme.lower()
    if scheme not in WEB_SCHEMES:
        kind = f"{scheme}://" if scheme else "this"
        raise InputError(f"only http:// and https:// addresses are read, not {kind}: save the file and "
                         "audit it", path=url)
    if parts.username is not None or parts.password is not None:
        raise InputError("an address with a user name or password is not read: it would be written "
                         "into the reports", path=url)
    host = (parts.hostname or "").lower()
    if not host:
        raise InputError("not a valid web address (no host)", path=url)
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[scheme]
    netloc = host if port in (None, default) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _address(url: str, reading: CopyReading) -> str:
    """``url`` normalised, or "" with the problem recorded in ``reading``."""
    try:
        return normalise_url(url)
    except InputError as error:
        reading.problems.append(InputProblem(url, error.detail))
        return ""


def _host(url: str) -> str:
    return urlsplit(url).netloc


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _chain(urls: Iterable[str]) -> str:
    return " -> ".join(urls)


class FetchFailed(Exception):
    """One address could not be read. ``skip``: in a crawl or sitemap this is a page passed
    over (robots.txt, not HTML), not a failure."""

    def __init__(self, message: str, *, skip: bool = False, response: _Response | None = None):
        super().__init__(message)
        self.message = message
        self.skip = skip
        self.response = response


@dataclass
class _Response:
    """One response, after any redirects, as it is recorded."""

    asked: str
    url: str
    fetched_at: str
    status: int | None = None
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    redirects: list[dict[str, Any]] = field(default_factory=list)
    body: bytes | None = None
    location: str | None = None  # a redirect's target, resolved

    def header(self, name: str) -> str:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), "")

    @property
    def media_type(self) -> str:
        return self.header("content-type").split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for parameter in self.header("content-type").split(";")[1:]:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "charset" and value.strip().strip("\"'"):
                return value.strip().strip("\"'")
        return None


class _Deadline:
    """Closes the request's sockets when its time is up.

    httpx's time-outs bound each wait for a byte, not the whole response: a
    server sending one byte a second would never time out. The socket is
    learned from httpcore's documented ``trace`` extension as it connects.
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[Any] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event != "connection.connect_tcp.complete":
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                self._close(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                self._close(sock)

    @staticmethod
    def _close(sock: Any) -> None:
        import socket

        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def check(self) -> None:
        if time.monotonic() > self.ends:
            self.expired = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


@dataclass
class _Robots:
    url: str
    rules: Protego | None = None  # None: everything is allowed
    refused: str = ""  # robots.txt could not be read: nothing on the host is fetched

    def allows(self, url: str) -> bool:
        if self.refused:
            return False
        return self.rules is None or bool(self.rules.can_fetch(url, ROBOTS_TOKEN))

    def refusal(self) -> str:
        """Why an address it does not allow is not fetched."""
        return self.refused or f"robots.txt disallows it ({self.url})"

    def delay(self) -> float:
        if self.rules is None:
            return 0.0
        asked = float(self.rules.crawl_delay(ROBOTS_TOKEN) or 0.0)
        rate = self.rules.request_rate(ROBOTS_TOKEN)
        if rate is not None and rate.requests:
            asked = max(asked, rate.seconds / rate.requests)
        return min(asked, MAX_CRAWL_DELAY)


_RECORD_NAME = re.compile(r"^\d{3,}-[A-Za-z0-9._-]*\.(?:html|xml|txt|json)$")


def _slug(url: str) -> str:
    parts = urlsplit(url)
    text = parts.netloc + parts.path + (f"-{parts.query}" if parts.query else "")
    text = re.sub(r"\.(?:html?|xhtml|xml|txt)$", "", text.rstrip("/"), flags=re.IGNORECASE)
    slug = re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-.")
    return slug[:80].rstrip("-.") or "page"


class FetchLog:
    """Every response of a run saved in one folder, numbered in the order fetched."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.count = 0
        self.written: set[str] = set()

    def save(self, role: str, response: _Response, problem: str | None) -> None:
        from claimaudit.files import write_atomic

        self.count += 1
        stem = f"{self.count:03d}-{_slug(response.asked)}"
        suffix = {"page": ".html", "sitemap": ".xml", "robots": ".txt"}[role]
        body_file = None
        if response.body is not None:
            body_file = stem + suffix
            write_atomic(self.folder / body_file, response.body)
            self.written.add(body_file)
        record = {
            "role": role,
            "url": response.asked,
            "final_url": response.url,
            "redirects": response.redirects,
            "status": response.status,
            "reason": response.reason,
            "headers": [[key, value] for key, value in response.headers],
            "fetched_at": response.fetched_at,
            "user_agent": USER_AGENT,
            "body_file": body_file,
            "bytes": len(response.body) if response.body is not None else None,
            "sha256": hashlib.sha256(response.body).hexdigest() if response.body is not None else None,
            "problem": problem,
        }
        write_atomic(self.folder / (stem + ".json"), json.dumps(record, ensure_ascii=False, indent=2) + "\n")
        self.written.add(stem + ".json")

    def prune(self) -> None:
        """Remove records an earlier run left, so the folder holds this run's fetches only.

        Only a record this tool wrote (a JSON record naming its role and this tool's user
        agent) and the body it names are removed: a reviewer's own ``2024-notes.json`` in the
        folder is never touched."""
        try:
            entries = sorted(self.folder.iterdir())
        except OSError:
            return
        for entry in entries:
            if not _RECORD_NAME.match(entry.name) or entry.name in self.written:
                continue
            if entry.suffix != ".json":
                # A body whose record this run has written over (naming another body, or none).
                if entry.stem + ".json" in self.written:
                    _remove(entry)
                continue
            record = _earlier_record(entry)
            if record is None:
                continue
            body = record.get("body_file")
            doomed = [entry]
            if isinstance(body, str) and _RECORD_NAME.match(body) and body not in self.written \
                    and Path(body).stem == entry.stem:
                doomed.append(self.folder / body)
            for path in doomed:
                _remove(path)


def _remove(path: Path) -> None:
    try:
        if path.is_file() and not path.is_symlink():
            path.unlink()
    except OSError:
        pass


def _earlier_record(path: Path) -> dict[str, Any] | None:
    """A fetch record an earlier run wrote, or None for any other file."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 1024 * 1024:
            return None
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("role") not in {"page", "sitemap", "robots"}:
        return None
    agent = record.get("user_agent")
    return record if isinstance(agent, str) and agent.startswith("claimaudit/") else None


class WebReader:
    """One run's web reading: one HTTP client, robots.txt and pacing per host, one fetch log.

    Use as a context manager; leaving it normally also removes the records an
    earlier run left in ``fetched_dir``.
    """

    def __init__(self, options: WebOptions | None = None):
        self.options = options or WebOptions()
        self._client: httpx.Client | None = None
        self._robots: dict[str, _Robots] = {}
        self._last_request: dict[str, float] = {}
        self._links: dict[str, list[str]] = {}  # pages read this run -> their links
        self._final: dict[str, str] = {}  # pages read this run -> the address they were read at
        self._read_at: dict[str, str] = {}  # that address -> the first page of the run read there
        self.log = FetchLog(self.options.fetched_dir) if self.options.fetched_dir else None

    def __enter__(self) -> WebReader:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.close(complete=exc_type is None)

    def close(self, complete: bool = False) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if complete and self.log is not None:
            self.log.prune()

    # ------------------------------------------------------------------ what the run asks for

    def read_page(self, url: str) -> CopyReading:
        """One named address: its page, or a problem naming it."""
        reading = CopyReading()
        asked = _address(url, reading)
        if not asked:
            return reading
        if asked in self._links:
            return reading
        try:
            document, _ = self._page(asked)
        except FetchFailed as failure:
            reading.problems.append(InputProblem(asked, failure.message))
        else:
            reading.documents.append(document)
        return reading

    def read_sites(self) -> CopyReading:
        """Every ``sitemaps`` and ``crawls`` address of the options, in that order."""
        reading = CopyReading()
        for sitemap in self.options.sitemaps:
            reading.extend(self.read_sitemap(sitemap))
        for start in self.options.crawls:
            reading.extend(self.crawl(start))
        return reading

    def read_sitemap(self, url: str) -> CopyReading:
        """The pages a sitemap lists (a sitemap index is followed one level), at most ``max_pages``."""
        reading = CopyReading()
        asked = _address(url, reading)
        if not asked:
            return reading
        try:
            pages = self._sitemap_pages(asked, reading, nested=False)
        except FetchFailed as failure:
            reading.problems.append(InputProblem(asked, failure.message))
            return reading
        cap = self.options.max_pages
        if not pages and not reading.problems:
            reading.problems.append(InputProblem(asked, "the sitemap lists no pages"))
        if len(pages) > cap:
            reading.problems.append(InputProblem(
                asked, f"the sitemap lists more than {cap} pages; only the first {cap} were read "
                       f"(raise --max-pages to read them all)"))
        for page in pages[:cap]:
            if _host(page) != _host(asked):
                # A sitemap speaks for its own host only (sitemaps.org); another host's pages are
                # not fetched on its word, and are listed so the reviewer sees what was left out.
                reading.skipped.append(SkippedFile(page, f"on another host than the sitemap {asked}"))
                continue
            self._read_listed(page, reading)
        return reading

    def crawl(self, url: str) -> CopyReading:
        """Pages of one site, breadth first from ``url`` in link order, at most ``max_pages``.

        Only links to the same host (or the host the start page redirects
        to), over http or https, are followed; fragments are dropped.
        """
        reading = CopyReading()
        start = _address(url, reading)
        if not start:
            return reading
        hosts = {_host(start)}
        queue: deque[str] = deque([start])
        seen = {start}
        fetched = 0
        while queue and fetched < self.options.max_pages:
            page = queue.popleft()
            earlier = self._read_at.get(page)
            if earlier is not None and earlier != page:
                reading.skipped.append(SkippedFile(page, f"the same page as {earlier} (it leads here)"))
                continue
            robots = self._robots_for(page)
            if page != start and not robots.allows(page):
                reading.skipped.append(SkippedFile(page, robots.refusal()))
                continue
            fetched += 1
            if page not in self._links:
                try:
                    # The start may redirect anywhere (example.com to www.example.com); later pages stay on the site.
                    document, earlier = self._page(page, hosts=None if page == start else hosts)
                except FetchFailed as failure:
                    if failure.skip and page != start:
                        reading.skipped.append(SkippedFile(page, failure.message))
                    else:
                        reading.problems.append(InputProblem(page, failure.message))
                    continue
                if earlier is not None:
                    reading.skipped.append(SkippedFile(page, f"the same page as {earlier} (both lead to {document.url})"))
                    continue
                reading.documents.append(document)
            final = self._final[page]
            seen.add(final)
            if page == start:
                hosts.add(_host(final))
            for link in self._links.get(page, []):
                if link in seen or _host(link) not in hosts:
                    continue
                seen.add(link)
                suffix = Path(urlsplit(link).path).suffix.lower()
                if suffix in NOT_PAGE_SUFFIXES:
                    reading.skipped.append(SkippedFile(link, f"not an HTML page (by its name, {suffix})"))
                else:
                    queue.append(link)
        unread = list(queue)
        for link in unread[:MAX_LISTED_UNREAD]:
            reading.skipped.append(SkippedFile(
                link, f"not read: the crawl stopped at --max-pages {self.options.max_pages}"))
        if len(unread) > MAX_LISTED_UNREAD:
            reading.skipped.append(SkippedFile(
                start, f"{len(unread) - MAX_LISTED_UNREAD} more links not read: the crawl stopped at "
                       f"--max-pages {self.options.max_pages}"))
        return reading

    # ------------------------------------------------------------------ pages and sitemaps

    def _page(self, url: str, hosts: set[str] | None = None) -> tuple[Document, str | None]:
        """Fetch and read one HTML page; remember its links for a crawl. Also the address an
        earlier page of the run was asked by that led to the same final address, if any."""
        response = self.fetch(url, role="page", accept=HTML_TYPES, hosts=hosts)
        self._final[url] = response.url
        body = response.body or b""
        text, encoding = _decode(body, response.charset, url)
        try:
            document = document_from_text(text, name=url, media_type="html")
        except InputError as error:
            if not error.detail.startswith("no text"):
                raise FetchFailed(error.detail) from None
            raise FetchFailed(_why_no_text(text, response.url)) from None
        document.encoding = encoding
        document.url = response.url
        document.fetched_at = response.fetched_at
        self._links[url] = page_links(text, response.url)
        earlier = self._read_at.setdefault(response.url, url)
        return document, earlier if earlier != url else None

    def _read_listed(self, page: str, reading: CopyReading) -> None:
        if page in self._links:
            return
        robots = self._robots_for(page)
        if not robots.allows(page):
            reading.skipped.append(SkippedFile(page, robots.refusal()))
            return
        try:
            document, earlier = self._page(page)
        except FetchFailed as failure:
            reading.problems.append(InputProblem(page, failure.message))
            return
        if earlier is not None:
            reading.skipped.append(SkippedFile(page, f"the same page as {earlier} (both lead to {document.url})"))
        else:
            reading.documents.append(document)

    def _sitemap_pages(self, url: str, reading: CopyReading, *, nested: bool) -> list[str]:
        response = self.fetch(url, role="sitemap")
        kind, locations = parse_sitemap(response.body or b"", url)
        cap = self.options.max_pages
        if kind == "urlset":
            pages: list[str] = []
            for location in locations:
                try:
                    pages.append(normalise_url(location))
                except InputError as error:
                    reading.skipped.append(SkippedFile(location, f"listed in {url}: {error.detail}"))
            return list(dict.fromkeys(pages))
        if nested:
            raise FetchFailed("is a sitemap index inside a sitemap index; only one level is followed")
        collected: list[str] = []
        for location in locations:
            if len(collected) > cap:
                break  # already more than will be read; the caller reports it
            try:
                child = normalise_url(location)
            except InputError as error:
                reading.problems.append(InputProblem(location, f"listed in {url}: {error.detail}"))
                continue
            try:
                listed = self._sitemap_pages(child, reading, nested=True)
            except FetchFailed as failure:
                reading.problems.append(InputProblem(child, failure.message))
                continue
            collected.extend(page for page in listed if page not in collected)
        return collected

    # ------------------------------------------------------------------ fetching

    def fetch(self, url: str, *, role: str, accept: frozenset[str] | None = None,
              hosts: set[str] | None = None) -> _Response:
        """One address, redirects followed (to ``hosts`` only, when given) and robots.txt obeyed
        at every hop; saved to the log."""
        try:
            response = self._follow(url, role, accept, hosts)
        except FetchFailed as failure:
            if self.log is not None and failure.response is not None:
                self.log.save(role, failure.response, failure.message)
            raise
        if self.log is not None:
            self.log.save(role, response, None)
        return response

    def _follow(self, url: str, role: str, accept: frozenset[str] | None, hosts: set[str] | None) -> _Response:
        most = limits.int_value("max-redirects")
        redirects: list[dict[str, Any]] = []
        visited = [url]
        current = url
        while True:
            if role != "robots":
                robots = self._robots_for(current)
                if not robots.allows(current):
                    where = f" (redirected to {current})" if current != url else ""
                    raise FetchFailed(robots.refusal() + where, skip=True)
            try:
                response = self._request(current, role, accept)
            except FetchFailed as failure:
                if failure.response is not None:
                    failure.response.asked, failure.response.redirects = url, redirects
                if current != url:
                    failure.message += f" (at {current}, redirected from {url})"
                raise
            response.asked, response.redirects = url, redirects
            if response.location is None:
                return response
            redirects.append({"url": current, "status": response.status, "location": response.location})
            try:
                target = normalise_url(response.location)
            except InputError as error:
                raise FetchFailed(f"redirected to {response.location}: {error.detail}", response=response) from None
            if target in visited:
                raise FetchFailed(f"redirect loop: {_chain([*visited, target])}", response=response)
            if hosts is not None and _host(target) not in hosts:
                raise FetchFailed(f"redirects off the site, to {target}", skip=True, response=response)
            if len(redirects) > most:
                raise FetchFailed(f"more than {most} redirects: {_chain([*visited, target])} "
                                  f"{limits.hint('max-redirects')}", response=response)
            visited.append(target)
            current = target

    def _client_for(self) -> httpx.Client:
        if self._client is None:
            import httpx

            # A connection per request, so each request's watchdog knows its socket.
            self._client = httpx.Client(
                headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity", "Connection": "close"},
                follow_redirects=False,
                limits=httpx.Limits(max_keepalive_connections=0),
            )
        return self._client

    def _pace(self, url: str) -> None:
        host = _host(url)
        robots = self._robots.get(_origin(url))
        wait = max(self.options.delay, robots.delay() if robots is not None else 0.0)
        last = self._last_request.get(host)
        if last is not None:
            remaining = last + wait - time.monotonic()
            if remaining > 0:
                time.sleep(remaining)
        self._last_request[host] = time.monotonic()

    def _request(self, url: str, role: str, accept: frozenset[str] | None) -> _Response:
        """One request, no redirect followed: the response, or FetchFailed."""
        import httpx

        client = self._client_for()
        seconds = limits.value("max-fetch-seconds")
        limit_name = "max-input-bytes"
        cap = ROBOTS_MAX_BYTES if role == "robots" else limits.int_value(limit_name)
        self._pace(url)
        response = _Response(asked=url, url=url, fetched_at=_now())
        timeout = httpx.Timeout(seconds)
        accepts = ("text/html,application/xhtml+xml;q=0.9,*/*;q=0.1" if role == "page"
                   else "text/plain" if role == "robots" else "application/xml,text/xml;q=0.9,*/*;q=0.1")
        deadline = _Deadline(seconds)
        try:
            with deadline, client.stream("GET", url, timeout=timeout, headers={"Accept": accepts},
                                         extensions={"trace": deadline.trace}) as answer:
                response.status = answer.status_code
                response.reason = answer.reason_phrase
                response.headers = [(key, value) for key, value in answer.headers.multi_items()]
                location = answer.headers.get("location")
                if answer.status_code in REDIRECT_STATUSES and location:
                    response.location = urljoin(url, location.strip()).split("#", 1)[0]
                    return response
                if answer.status_code >= 300:
                    status = f"HTTP {answer.status_code} {answer.reason_phrase}".rstrip()
                    if answer.status_code < 400:
                        status += " with no address to follow"
                    raise FetchFailed(status, response=response)
                if accept is not None and response.media_type not in accept:
                    shown = response.header("content-type") or "none given"
                    hint = ("; download it and audit the file"
                            if response.media_type in _FILE_TYPES else "")
                    raise FetchFailed(f"not an HTML page (Content-Type: {shown}){hint}", skip=True,
                                      response=response)
                declared = answer.headers.get("content-length", "").strip()
                if declared.isdigit() and int(declared) > cap and role != "robots":
                    raise FetchFailed(limits.breach(limit_name, int(declared)).detail, response=response)
                # The raw bytes, unpacked here within the cap: httpx's own decoders unpack a
                # whole chunk at once, so a few kilobytes sent as "gzip, gzip" could fill memory.
                decoder = _ContentDecoder(answer.headers.get("content-encoding", ""), cap, response)
                chunks: list[bytes] = []
                size = 0
                for raw in answer.iter_raw():
                    deadline.check()
                    if deadline.expired:
                        break
                    chunk = decoder.decode(raw)
                    size += len(chunk)
                    chunks.append(chunk)
                    if size > cap:
                        break
                else:
                    if not deadline.expired:
                        chunk = decoder.flush()
                        size += len(chunk)
                        chunks.append(chunk)
                if deadline.expired:
                    raise FetchFailed(_too_slow(seconds), response=response)
                body = b"".join(chunks)
                if size > cap:
                    if role != "robots":
                        raise FetchFailed(limits.breach(limit_name).detail, response=response)
                    body = body[:cap]
                response.body = body
                return response
        except FetchFailed:
            raise
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, OSError, UnicodeError) as error:
            received = response if response.status is not None else None
            if deadline.expired or isinstance(error, httpx.TimeoutException):
                raise FetchFailed(_too_slow(seconds), response=received) from None
            if isinstance(error, httpx.ConnectError):
                raise FetchFailed(f"cannot connect: {_reason(error)}", response=received) from None
            raise FetchFailed(f"cannot be fetched: {_reason(error)}", response=received) from None

    def _robots_for(self, url: str) -> _Robots:
        origin = _origin(url)
        known = self._robots.get(origin)
        if known is not None:
            return known
        robots_url = origin + "/robots.txt"
        robots = _Robots(robots_url)
        self._robots[origin] = robots  # before fetching: the robots.txt fetch paces on it
        try:
            response = self.fetch(robots_url, role="robots")
        except FetchFailed as failure:
            status = failure.response.status if failure.response is not None else None
            # RFC 9309: "unavailable" (4xx) allows everything; "unreachable" allows nothing.
            if status is None:
                robots.refused = failure.message  # no answer at all: the page would get none either
            elif status >= 500 or status == 429 or 200 <= status < 300:
                # 429: the host asks for fewer requests; 2xx: a robots.txt whose body never
                # arrived whole (too slow, too large, damaged) is as unread as a 5xx.
                robots.refused = (f"robots.txt could not be read ({failure.message}), so nothing on "
                                  f"{_host(url)} is fetched")
            return robots
        from protego import Protego

        text = (response.body or b"").decode("utf-8", errors="replace")
        robots.rules = Protego.parse(text)
        return robots


_IDENTITY_CODINGS = frozenset({"", "identity"})
_ZLIB_CODINGS = frozenset({"gzip", "x-gzip", "deflate"})


class _Inflater:
    """One layer of gzip or deflate, never giving more than it is asked for at once."""

    def __init__(self, coding: str):
        import zlib

        self.coding = coding
        self.started = False
        self._zlib = zlib
        self._unpack = zlib.decompressobj(zlib.MAX_WBITS | 16 if coding != "deflate" else zlib.MAX_WBITS)

    def feed(self, data: bytes, most: int) -> tuple[bytes, bool]:
        """At most ``most`` bytes of output, and whether input was left over past them."""
        zlib = self._zlib
        try:
            out = self._unpack.decompress(data, most)
        except zlib.error:
            if self.coding != "deflate" or self.started:
                raise
            # "deflate" is zlib-wrapped by the RFC, but some servers send the raw stream.
            self._unpack = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._unpack.decompress(data, most)
        self.started = True
        return out, bool(self._unpack.unconsumed_tail)

    def finish(self, most: int) -> bytes:
        return self._unpack.flush(most)


class _ContentDecoder:
    """The body as the server meant it (``Content-Encoding`` undone, gzip and deflate only),
    unpacked a bounded amount at a time: never more than ``cap + 1`` bytes from one chunk
    received, at every layer, so a compression bomb costs a breach of the size limit, not
    the machine's memory."""

    def __init__(self, header: str, cap: int, response: _Response):
        codings = [c.strip().lower() for c in header.split(",") if c.strip().lower() not in _IDENTITY_CODINGS]
        unknown = [c for c in codings if c not in _ZLIB_CODINGS]
        if unknown:
            raise FetchFailed(f"sent with Content-Encoding: {header.strip()}, which is not read "
                              "(only gzip and deflate; the request asked for none)", response=response)
        self.most = cap + 1
        self.layers = [_Inflater(c) for c in reversed(codings)]  # the last applied is undone first
        self.response = response

    def decode(self, data: bytes) -> bytes:
        return self._through(data, final=False)

    def flush(self) -> bytes:
        return self._through(b"", final=True)

    def _through(self, data: bytes, *, final: bool) -> bytes:
        """The next piece of the body; longer than the cap when any layer would unpack past it."""
        import zlib

        try:
            for layer in self.layers:
                data, more = layer.feed(data, self.most)
                if more:
                    return data  # ``most`` bytes already, and more to come: past the cap
                if final:
                    data += layer.finish(self.most - len(data))
        except zlib.error as error:
            codings = ", ".join(layer.coding for layer in reversed(self.layers))
            raise FetchFailed(f"the {codings} data sent is damaged ({error})", response=self.response) from None
        return data


_FILE_TYPES = frozenset({
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
})


def _too_slow(seconds: float) -> str:
    return f"no complete answer within {seconds:g} s {limits.hint('max-fetch-seconds')}"


def _reason(error: BaseException) -> str:
    text = str(error).strip()
    return text or type(error).__name__


def _decode(body: bytes, charset: str | None, name: str) -> tuple[str, str]:
    """The page's text: a byte-order mark wins, then the charset the server declares, then
    what the page itself declares or its bytes show (as for a file)."""
    from claimaudit.ingest.encoding import decode_bytes, page_encoding

    boms = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    if charset and not body.startswith(boms):
        codec = page_encoding(charset)
        if codec is not None:
            try:
                return body.decode(codec), codec
            except UnicodeDecodeError:
                pass  # the header is wrong; the bytes decide
    try:
        decoded = decode_bytes(body, name)
    except InputError as error:
        raise FetchFailed(error.detail) from None
    return decoded.text, decoded.encoding


_REFRESH_TARGET = re.compile(r"^\s*\d*(?:\.\d*)?\s*[;,]?\s*(?:url\s*=\s*)?['\"]?([^'\"]+)", re.IGNORECASE)


def _why_no_text(html: str, url: str) -> str:
    """Why a page that was read holds no text, where the page shows it: it sends the reader on
    with ``<meta http-equiv="refresh">``, or its text is written by scripts (which are not run)."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    for meta in tree.css("meta[http-equiv]"):
        if (meta.attributes.get("http-equiv") or "").strip().lower() != "refresh":
            continue
        found = _REFRESH_TARGET.match(meta.attributes.get("content") or "")
        if found and found.group(1).strip():
            try:
                target = normalise_url(urljoin(url, found.group(1).strip()))
            except (InputError, ValueError):
                continue
            return (f"no text to audit on this page: it sends the reader on to {target} "
                    '(<meta http-equiv="refresh">); audit that address')
    if tree.css_first("script") is not None:
        return "no text to audit on this page: its text may be written by scripts, which are not run"
    return "no text to audit on this page"


def page_links(html: str, base: str) -> list[str]:
    """The http(s) addresses a page links to (``<a href>``, ``<area href>``), in page order,
    each once, resolved against ``<base href>`` or the page's own address, without fragments."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    declared = tree.css_first("base[href]")
    if declared is not None:
        # A base that is not a web address (javascript:, data:) is ignored, as browsers do.
        declared_base = urljoin(base, (declared.attributes.get("href") or "").strip())
        if urlsplit(declared_base).scheme.lower() in WEB_SCHEMES and urlsplit(declared_base).netloc:
            base = declared_base
    links: list[str] = []
    for node in tree.css("a[href], area[href]"):
        href = (node.attributes.get("href") or "").strip()
        if not href or href.startswith("#"):
            continue
        try:
            links.append(normalise_url(urljoin(base, href)))
        except (InputError, ValueError):
            continue  # mailto:, tel:, javascript: and broken addresses are not pages
    return list(dict.fromkeys(links))


def parse_sitemap(body: bytes, name: str) -> tuple[str, list[str]]:
    """("urlset" or "sitemapindex", the ``<loc>`` addresses in order) of a sitemap's XML,
    read with defusedxml (no entity expansion, no external resources); gzip is unpacked
    within ``max-input-bytes``."""
    import zlib
    from xml.etree.ElementTree import ParseError

    import defusedxml
    from defusedxml.ElementTree import fromstring

    if body[:2] == b"\x1f\x8b":
        cap = limits.int_value("max-input-bytes")
        try:
            body = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, cap + 1)
        except zlib.error as error:
            raise FetchFailed(f"not a sitemap: the gzip data is damaged ({error})") from None
        if len(body) > cap:
            raise FetchFailed(limits.breach("max-input-bytes").detail)
    try:
        root = fromstring(body)
    except defusedxml.DefusedXmlException:
        raise FetchFailed("not a sitemap: it declares entities or external resources, which are not read") from None
    except ParseError as error:
        raise FetchFailed(f"not a sitemap: not well-formed XML ({error})") from None

    def local(tag: object) -> str:
        return str(tag).rsplit("}", 1)[-1]

    kind = local(root.tag)
    entry = {"urlset": "url", "sitemapindex": "sitemap"}.get(kind)
    if entry is None:
        raise FetchFailed(f"not a sitemap: its root element is <{kind}>, not <urlset> or <sitemapindex>")
    locations: list[str] = []
    for item in root:
        if local(item.tag) != entry:
            continue
        for child in item:
            if local(child.tag) == "loc" and (child.text or "").strip():
                locations.append((child.text or "").strip())
                break
    return kind, locations


def read_url(url: str, reader: WebReader | None = None) -> CopyReading:
    """One named address read by ``reader``, or by a reader of its own with the default options."""
    if reader is not None:
        return reader.read_page(url)
    with WebReader() as own:
        return own.read_page(url)
