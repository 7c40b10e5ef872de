"""Copy read from the web: a page, a sitemap, a crawl, fetched from a real HTTP server on 127.0.0.1.

Every test talks to a server this file starts on an ephemeral port; a guard
refuses any connection or name lookup beyond the loopback address, so no test
reaches the network.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimaudit.cli import main

PACK = """\
sources:
  - id: knee2022
    citation: "Example A, Sample B. Injections for knee osteoarthritis. J Example Orthop. 2022;3:1-9."
    summary: >
      In a small study of 30 adults with knee osteoarthritis, knee pain was lower
      six months after the injections than before them. There was no control group,
      and two participants reported mild swelling at the injection site.
"""

SUPPORTED = "In a small study of 30 adults with knee osteoarthritis, knee pain was lower six months after the injections."
CURE = "Our injections cure knee osteoarthritis in every patient."


def page(*paragraphs: str, title: str = "Knee care", links: tuple[str, ...] = ()) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    nav = "".join(f'<li><a href="{href}">{href}</a></li>' for href in links)
    return (f"<!DOCTYPE html>\n<html><head><title>{title}</title></head>\n<body><main>\n<h1>{title}</h1>\n"
            f"{body}\n<ul>{nav}</ul>\n</main></body></html>\n")


# --------------------------------------------------------------------------- the server


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    wait: float = 0.0  # seconds before answering at all
    trickle: float = 0.0  # seconds between two bytes of the body
    length: bool = True  # send Content-Length


class Site:
    """Routes by path (with query); anything else is a 404. Records every request."""

    def __init__(self) -> None:
        self.routes: dict[str, Reply] = {}
        self.requests: list[tuple[str, str, float]] = []  # (path, user agent, arrival time)
        self.stop = threading.Event()
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.requests.append((self.path, self.headers.get("User-Agent", ""), time.monotonic()))
                reply = site.routes.get(self.path, Reply(404, b"<p>not here</p>"))
                if reply.wait and site.stop.wait(reply.wait):
                    return
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    if reply.length:
                        self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    if not reply.trickle:
                        self.wfile.write(reply.body)
                        return
                    for byte in reply.body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        if site.stop.wait(reply.trickle):
                            return
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        # A short poll keeps shutdown quick at the end of each test.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def html(self, path: str, text: str, **headers: str) -> None:
        self.routes[path] = Reply(body=text.encode("utf-8"),
                                  headers={"Content-Type": "text/html; charset=utf-8", **headers})

    def robots(self, text: str) -> None:
        self.routes["/robots.txt"] = Reply(body=text.encode(), headers={"Content-Type": "text/plain"})

    def redirect(self, path: str, to: str, status: int = 301) -> None:
        self.routes[path] = Reply(status, b"", {"Location": to})

    def xml(self, path: str, text: str) -> None:
        self.routes[path] = Reply(body=text.encode(), headers={"Content-Type": "application/xml"})

    def paths(self) -> list[str]:
        return [path for path, _, _ in self.requests]


@pytest.fixture
def site():
    served = Site()
    served.thread.start()
    yield served
    served.stop.set()
    served.server.shutdown()
    served.server.server_close()


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch, tmp_path_factory):
    """No test reaches beyond 127.0.0.1: other addresses are refused before a byte or a DNS query leaves."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("CLAIMAUDIT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect

    def getaddrinfo(host, *args, **kwargs):
        if host not in ("127.0.0.1", "localhost", b"127.0.0.1"):
            raise OSError(f"test guard: no name lookup for {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self, address):
        if isinstance(address, tuple) and address[0] != "127.0.0.1":
            raise OSError(f"test guard: no connection to {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture
def work(tmp_path, monkeypatch):
    (tmp_path / "pack.yaml").write_text(PACK, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(main, list(args), env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def one_error_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def records(folder: Path) -> list[dict]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.json"))]


# --------------------------------------------------------------------------- one page


def test_one_page_is_audited_end_to_end_and_the_reports_name_its_url(site, work):
    site.html("/knee", page(SUPPORTED, CURE))
    url = site.url("/knee")
    result = run("audit", url, "-s", "pack.yaml", "--out", "out", "--delay", "0")
    assert result.exit_code == 0, result.output

    report = json.loads((work / "out" / "audit.json").read_text(encoding="utf-8"))
    verdicts = {f["text"]: f["verdict"] for f in report["findings"]}
    assert verdicts[SUPPORTED] == "supported"
    assert verdicts[CURE] == "overstated"
    assert {f["document"] for f in report["findings"]} == {url}
    assert [d["path"] for d in report["documents"]] == [url]
    assert report["documents"][0]["url"] == url
    assert all(f["url"] == url and f["fetched_at"] for f in report["findings"])


def test_check_on_a_url_fails_on_the_overstated_claim_and_names_the_url_and_line(site, work):
    site.html("/knee", page(SUPPORTED, CURE))
    result = run("check", site.url("/knee"), "-s", "pack.yaml", "--delay", "0")
    assert result.exit_code == 1, result.output
    failing = [line for line in result.stdout.splitlines() if line.startswith(site.url("/knee:"))]
    assert failing and all(line.startswith(site.url("/knee:6:")) for line in failing)  # the cure claim's line


def test_the_api_reads_a_url_and_findings_carry_the_final_url_and_fetch_time(site, work):
    from claimaudit import audit

    site.redirect("/offer", "/knee")
    site.html("/knee", page(SUPPORTED, CURE))
    result = audit(site.url("/offer"), sources="pack.yaml", delay=0, fetched=work / "kept")
    findings = result.result.findings
    assert {f.document for f in findings} == {site.url("/offer")}
    assert {f.url for f in findings} == {site.url("/knee")}
    moment = datetime.fromisoformat(findings[0].fetched_at.replace("Z", "+00:00"))
    assert moment.utcoffset() is not None and moment.utcoffset().total_seconds() == 0
    assert {f.verdict for f in findings} == {"supported", "overstated"}
    assert any(r["url"] == site.url("/offer") and r["role"] == "page" for r in records(work / "kept"))


def test_every_request_names_the_tool_and_robots_txt_is_read_once_per_host(site, work):
    site.html("/a", page(SUPPORTED))
    site.html("/b", page(CURE))
    result = run("check", site.url("/a"), site.url("/b"), "-s", "pack.yaml", "--delay", "0")
    assert result.exit_code == 1, result.output
    assert site.paths() == ["/robots.txt", "/a", "/b"]
    assert all(agent.startswith("claimaudit/") and "compliance audit" in agent for _, agent, _ in site.requests)


def test_a_server_charset_decides_how_the_page_is_read(site, work):
    text = page("Our café injections cure knee osteoarthritis in every patient.")
    site.routes["/latin"] = Reply(body=text.encode("latin-1"), headers={"Content-Type": "text/html; charset=ISO-8859-1"})
    from claimaudit import audit

    result = audit(site.url("/latin"), sources="pack.yaml", delay=0)
    assert any("café" in f.text for f in result.result.findings)
    assert result.result.documents[0].encoding in {"iso8859-1", "latin-1", "cp1252"}


# --------------------------------------------------------------------------- refusals


def test_robots_txt_that_disallows_a_named_page_is_exit_2_and_the_page_is_never_requested(site, work):
    site.robots("User-agent: *\nDisallow: /private\n")
    site.html("/private/offer", page(CURE))
    for command in ("check", "audit"):
        result = run(command, site.url("/private/offer"), "-s", "pack.yaml", "--delay", "0")
        assert result.exit_code == 2, result.output
        line = one_error_line(result)
        assert site.url("/private/offer") in line and "robots.txt disallows" in line
    assert "/private/offer" not in site.paths()


def test_robots_txt_that_cannot_be_read_for_a_server_error_stops_every_fetch_on_the_host(site, work):
    site.routes["/robots.txt"] = Reply(503, b"busy", {"Content-Type": "text/plain"})
    site.html("/knee", page(CURE))
    result = run("check", site.url("/knee"), "-s", "pack.yaml", "--delay", "0")
    assert result.exit_code == 2
    assert "robots.txt could not be read (HTTP 503" in one_error_line(result)
    assert site.paths() == ["/robots.txt"]


def test_a_404_is_exit_2_naming_the_url_and_status_and_the_rest_is_still_reported(site, work):
    site.html("/knee", page(SUPPORTED, CURE))
    result = run("audit", site.url("/gone"), site.url("/knee"), "-s", "pack.yaml", "--out", "out", "--delay", "0")
    assert result.exit_code == 2
    line = one_error_line(result)
    assert site.url("/gone") in line and "HTTP 404 Not Found" in line
    report = json.loads((work / "out" / "audit.json").read_text(encoding="utf-8"))
    assert [d["path"] for d in report["documents"]] == [site.url("/knee")]


def test_a_response_that_is_not_html_is_not_read(site, work):
    site.routes["/leaflet"] = Reply(body=b"%PDF-1.4\n", headers={"Content-Type": "application/pdf"})
    result = run("check", site.url("/leaflet"), "-s", "pack.yaml", "--delay", "0")
    assert result.exit_code == 2
    line = one_error_line(result)
    assert site.url("/leaflet") in line and "not an HTML page (Content-Type: application/pdf)" in line


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
def test_a_body_over_the_size_limit_is_refused_naming_the_limit(site, work, declared):
    site.routes["/huge"] = Reply(body=page(CURE * 100).encode(), length=declared)
    result = run("check", site.url("/huge"), "-s", "pack.yaml", "--delay", "0",
                 env={"CLAIMAUDIT_MAX_INPUT_BYTES": "2000"})
    assert result.exit_code == 2
    line = one_error_line(result)
    assert site.url("/huge") in line and "max-input-bytes" in line


def test_a_redirect_is_followed_and_the_final_url_recorded(site, work):
    site.redirect("/old", "/middle", 302)
    site.redirect("/middle", "/knee#top", 308)
    site.html("/knee", page(SUPPORTED, CURE))
    result = run("audit", site.url("/old"), "-s", "pack.yaml", "--out", "out", "--delay", "0")
    assert result.exit_code == 0, result.output
    report = json.loads((work / "out" / "audit.json").read_text(encoding="utf-8"))
    assert report["documents"][0]["path"] == site.url("/old")
    assert report["documents"][0]["url"] == site.url("/knee")
    record = next(r for r in records(work / "out" / "fetched") if r["role"] == "page")
    assert record["final_url"] == site.url("/knee")
    assert [(hop["url"], hop["status"]) for hop in record["redirects"]] == [
        (site.url("/old"), 302), (site.url("/middle"), 308)]


def test_a_redirect_to_a_missing_page_names_where_it_led(site, work):
    site.redirect("/offer", "/gone")
    result = run("check", site.url("/offer"), "-s", "pack.yaml", "--delay", "0")
    assert result.exit_code == 2
    line = one_error_line(result)
    assert line.startswith(f"claimaudit: error: {site.url('/offer')}: HTTP 404 Not Found (at {site.url('/gone')}")


def test_a_redirect_loop_is_exit_2_showing_the_loop(site, work):
    site.redirect("/a", "/b")
    site.redirect("/b", "/a")
    result = run("check", site.url("/a"), "-s", "pack.yaml", "--delay", "0")
    assert result.exit_code == 2
    assert f"redirect loop: {site.url('/a')} -> {site.url('/b')} -> {site.url('/a')}" in one_error_line(result)


def test_more_redirects_than_the_limit_are_not_followed(site, work):
    for n in range(1, 9):
        site.redirect(f"/r{n}", f"/r{n + 1}")
    site.html("/r9", page(CURE))
    result = run("check", site.url("/r1"), "-s", "pack.yaml", "--delay", "0")
    assert result.exit_code == 2
    line = one_error_line(result)
    assert "more than 5 redirects" in line and "max-redirects" in line
    assert "/r7" not in site.paths()  # five redirects followed, the sixth refused


def _cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    return subprocess.run([sys.executable, "-m", "claimaudit", *args], cwd=cwd, env={**clean, **env},
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("reply", [Reply(body=page(CURE).encode(), wait=30.0),
                                   Reply(body=page(CURE).encode(), trickle=0.05)],
                         ids=["no-answer", "one-byte-at-a-time"])
def test_a_slow_page_times_out_as_a_problem_never_a_hang(site, work, reply):
    # Each read of the trickling page is quick; only the whole request's time limit stops it.
    site.routes["/slow"] = reply
    result = _cli(["check", site.url("/slow"), "-s", "pack.yaml", "--delay", "0"],
                  {"CLAIMAUDIT_MAX_FETCH_SECONDS": "0.5", "CLAIMAUDIT_CACHE_DIR": str(work / "cache")}, work)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and site.url("/slow") in lines[0]
    assert "no complete answer within 0.5 s" in lines[0] and "max-fetch-seconds" in lines[0]


def test_ftp_and_addresses_with_passwords_are_refused_without_a_request(work):
    for address, says in [("ftp://files.example/page.html", "only http:// and https://"),
                          ("http://reviewer:secret@127.0.0.1:9/page", "user name or password")]:
        result = run("check", address, "-s", "pack.yaml")
        assert result.exit_code == 2
        assert says in one_error_line(result)


# --------------------------------------------------------------------------- pacing


def test_requests_to_one_host_are_spaced_by_the_delay(site, work):
    site.html("/a", page(SUPPORTED))
    site.html("/b", page(SUPPORTED))
    run("check", site.url("/a"), site.url("/b"), "-s", "pack.yaml", "--delay", "0.3")
    arrivals = [at for _, _, at in site.requests]
    assert len(arrivals) == 3
    assert all(later - earlier >= 0.25 for earlier, later in zip(arrivals, arrivals[1:]))


def test_robots_crawl_delay_is_honoured_when_longer_than_the_delay(site, work):
    site.robots("User-agent: claimaudit\nCrawl-delay: 0.3\n")
    site.html("/a", page(SUPPORTED))
    site.html("/b", page(SUPPORTED))
    run("check", site.url("/a"), site.url("/b"), "-s", "pack.yaml", "--delay", "0")
    arrivals = [at for path, _, at in site.requests if path != "/robots.txt"]
    assert arrivals[1] - arrivals[0] >= 0.25


# --------------------------------------------------------------------------- sitemaps


def urlset(*urls: str) -> str:
    entries = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'


def sitemap_index(*urls: str) -> str:
    entries = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in urls)
    return f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'


def test_a_sitemap_audits_the_pages_it_lists(site, work):
    site.html("/a", page(SUPPORTED))
    site.html("/b", page(CURE))
    site.xml("/sitemap.xml", urlset(site.url("/a"), site.url("/b")))
    result = run("audit", "--sitemap", site.url("/sitemap.xml"), "-s", "pack.yaml", "--out", "out", "--delay", "0")
    assert result.exit_code == 0, result.output
    report = json.loads((work / "out" / "audit.json").read_text(encoding="utf-8"))
    assert [d["path"] for d in report["documents"]] == [site.url("/a"), site.url("/b")]
    roles = [(r["role"], r["url"]) for r in records(work / "out" / "fetched")]
    assert ("sitemap", site.url("/sitemap.xml")) in roles


def test_a_sitemap_entry_on_another_host_is_listed_as_skipped_and_never_fetched(site, work):
    site.html("/a", page(SUPPORTED))
    elsewhere = site.url("/b").replace("127.0.0.1", "localhost")
    site.xml("/sitemap.xml", urlset(site.url("/a"), elsewhere))
    result = run("check", "--sitemap", site.url("/sitemap.xml"), "-s", "pack.yaml", "--delay", "0", "-f", "json")
    report = json.loads(result.stdout)
    assert [d["path"] for d in report["documents"]] == [site.url("/a")]
    assert [(s["path"], s["reason"]) for s in report["skipped"]] == [
        (elsewhere, f"on another host than the sitemap {site.url('/sitemap.xml')}")]
    assert "/b" not in site.paths()


def test_a_sitemap_index_is_followed_one_level(site, work):
    site.html("/a", page(SUPPORTED))
    site.html("/b", page(CURE))
    site.xml("/one.xml", urlset(site.url("/a")))
    site.xml("/two.xml", urlset(site.url("/b"), site.url("/a")))
    site.xml("/index.xml", sitemap_index(site.url("/one.xml"), site.url("/two.xml")))
    site.xml("/nested.xml", sitemap_index(site.url("/index.xml")))
    result = run("check", "--sitemap", site.url("/index.xml"), "-s", "pack.yaml", "--delay", "0")
    assert result.exit_code == 1, result.output
    assert site.url("/b:") in result.stdout
    assert site.paths().count("/a") == 1

    result = run("check", "--sitemap", site.url("/nested.xml"), "-s", "pack.yaml", "--delay", "0")
    assert result.exit_code == 2
    assert "a sitemap index inside a sitemap index" in result.stderr


def test_a_sitemap_listing_more_pages_than_max_pages_reads_the_first_and_fails(site, work):
    pages = [site.url(f"/p{n}") for n in range(5)]
    for n in range(5):
        site.html(f"/p{n}", page(SUPPORTED))
    site.xml("/sitemap.xml", urlset(*pages))
    result = run("audit", "--sitemap", site.url("/sitemap.xml"), "--max-pages", "3", "-s", "pack.yaml",
                 "--out", "out", "--delay", "0")
    assert result.exit_code == 2
    assert "lists more than 3 pages" in one_error_line(result)
    report = json.loads((work / "out" / "audit.json").read_text(encoding="utf-8"))
    assert [d["path"] for d in report["documents"]] == pages[:3]


def test_a_sitemap_with_entity_declarations_is_refused(site, work):
    site.xml("/bomb.xml", '<?xml version="1.0"?><!DOCTYPE u [<!ENTITY a "aaaaaaaa">]>'
                          '<urlset><url><loc>&a;</loc></url></urlset>')
    result = run("check", "--sitemap", site.url("/bomb.xml"), "-s", "pack.yaml", "--delay", "0")
    assert result.exit_code == 2
    assert "not a sitemap" in one_error_line(result)


# --------------------------------------------------------------------------- crawls


def test_a_crawl_stays_on_the_host_breadth_first_within_max_pages(site, work):
    site.robots("User-agent: *\nDisallow: /private\n")
    site.html("/", page(SUPPORTED, links=("/a#top", "/private/x", "/b", "http://elsewhere.invalid/c",
                                          "/leaflet.pdf", "mailto:team@clinic.invalid")))
    site.html("/a", page(CURE, links=("/", "/deep")))
    site.html("/b", page(SUPPORTED, links=("/a",)))
    site.html("/deep", page(CURE))
    result = run("audit", "--crawl", site.url("/"), "--max-pages", "3", "-s", "pack.yaml", "--out", "out",
                 "--delay", "0")
    assert result.exit_code == 0, result.output
    assert site.paths() == ["/robots.txt", "/", "/a", "/b"]
    report = json.loads((work / "out" / "audit.json").read_text(encoding="utf-8"))
    assert [d["path"] for d in report["documents"]] == [site.url("/"), site.url("/a"), site.url("/b")]
    skipped = {item["path"]: item["reason"] for item in report["skipped"]}
    assert "robots.txt disallows" in skipped[site.url("/private/x")]
    assert "not an HTML page" in skipped[site.url("/leaflet.pdf")]
    assert "--max-pages 3" in skipped[site.url("/deep")]
    assert not any("elsewhere" in path for path in skipped)


def test_a_broken_link_found_in_a_crawl_is_a_problem_after_the_rest_is_reported(site, work):
    site.html("/", page(SUPPORTED, links=("/missing", "/b")))
    site.html("/b", page(SUPPORTED))
    result = run("check", "--crawl", site.url("/"), "-s", "pack.yaml", "--delay", "0")
    assert result.exit_code == 2
    assert "2 documents" in result.stdout
    line = one_error_line(result)
    assert site.url("/missing") in line and "HTTP 404" in line


def test_a_crawl_does_not_follow_a_redirect_off_the_site_nor_read_a_page_twice(site, work):
    site.html("/", page(SUPPORTED, links=("/old", "/knee", "/out")))
    site.redirect("/old", "/knee")
    site.redirect("/out", "http://elsewhere.invalid/")
    site.html("/knee", page(CURE))
    result = run("audit", "--crawl", site.url("/"), "-s", "pack.yaml", "--out", "out", "--delay", "0")
    assert result.exit_code == 0, result.output
    report = json.loads((work / "out" / "audit.json").read_text(encoding="utf-8"))
    assert [d["path"] for d in report["documents"]] == [site.url("/"), site.url("/old")]
    skipped = {item["path"]: item["reason"] for item in report["skipped"]}
    assert "off the site" in skipped[site.url("/out")]
    assert site.paths().count("/knee") == 1


def test_the_api_crawls_a_site(site, work):
    from claimaudit import audit

    site.html("/", page(SUPPORTED, links=("/a", "/b")))
    site.html("/a", page(CURE))
    site.html("/b", page(CURE))
    result = audit([], sources="pack.yaml", crawl=site.url("/"), max_pages=2, delay=0)
    assert [d.path for d in result.result.documents] == [site.url("/"), site.url("/a")]
    assert [s.path for s in result.result.skipped] == [site.url("/b")]


def test_a_baseline_written_for_a_page_names_its_url_and_passes_it_next_time(site, work):
    site.html("/knee", page(SUPPORTED, CURE))
    result = run("check", site.url("/knee"), "-s", "pack.yaml", "--delay", "0", "--write-baseline")
    assert result.exit_code == 0, result.output
    baseline = json.loads((work / ".claimaudit-baseline.json").read_text(encoding="utf-8"))
    assert {entry["document"] for entry in baseline["entries"]} == {site.url("/knee")}
    result = run("check", site.url("/knee"), "-s", "pack.yaml", "--delay", "0",
                 "--baseline", ".claimaudit-baseline.json")
    assert result.exit_code == 0, result.output


# --------------------------------------------------------------------------- the record of what was live


def test_every_fetched_page_is_saved_with_a_record_that_reproduces_it(site, work):
    body = page(SUPPORTED, CURE)
    site.html("/knee", body, **{"X-Served-By": "test"})
    result = run("audit", site.url("/knee"), "-s", "pack.yaml", "--out", "out", "--delay", "0")
    assert result.exit_code == 0, result.output
    folder = work / "out" / "fetched"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["001-127.0.0.1-{0}-robots.json".format(site.base.rsplit(":", 1)[1]),
                     "002-127.0.0.1-{0}-knee.html".format(site.base.rsplit(":", 1)[1]),
                     "002-127.0.0.1-{0}-knee.json".format(site.base.rsplit(":", 1)[1])]
    robots, record = records(folder)
    assert robots["role"] == "robots" and robots["status"] == 404
    assert record["url"] == record["final_url"] == site.url("/knee")
    assert record["status"] == 200
    assert ["X-Served-By", "test"] in [[k.title(), v] for k, v in record["headers"]]
    saved = (folder / record["body_file"]).read_bytes()
    assert saved == body.encode("utf-8")
    assert record["sha256"] == hashlib.sha256(saved).hexdigest() and record["bytes"] == len(saved)
    assert datetime.fromisoformat(record["fetched_at"].replace("Z", "+00:00")).utcoffset().total_seconds() == 0
    assert record["user_agent"].startswith("claimaudit/") and record["problem"] is None


def test_a_failed_fetch_is_recorded_too_and_a_rerun_leaves_only_its_own_records(site, work):
    site.html("/a", page(SUPPORTED))
    site.html("/b", page(SUPPORTED))
    run("check", site.url("/a"), site.url("/b"), "-s", "pack.yaml", "--delay", "0", "--fetched", "kept")
    assert len(list((work / "kept").glob("*.json"))) == 3
    (work / "kept" / "notes.txt").write_text("the reviewer's own file", encoding="utf-8")

    del site.routes["/a"]
    result = run("check", site.url("/a"), "-s", "pack.yaml", "--delay", "0", "--fetched", "kept")
    assert result.exit_code == 2
    kept = records(work / "kept")
    assert [(r["role"], r["status"]) for r in kept] == [("robots", 404), ("page", 404)]
    assert kept[1]["problem"] == "HTTP 404 Not Found" and kept[1]["body_file"] is None
    assert (work / "kept" / "notes.txt").exists()
    assert not list((work / "kept").glob("*.html"))


def test_check_saves_pages_only_when_asked(site, work):
    site.html("/knee", page(SUPPORTED))
    result = run("check", site.url("/knee"), "-s", "pack.yaml", "--delay", "0")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in work.iterdir()) == ["pack.yaml"]


# --------------------------------------------------------------------------- cost for copy read from files


def test_a_check_of_files_does_not_import_the_web_client(work):
    (work / "page.html").write_text(page(SUPPORTED), encoding="utf-8")
    script = ("import sys\nfrom click.testing import CliRunner\nfrom claimaudit.cli import main\n"
              "result = CliRunner().invoke(main, ['check', 'page.html', '-s', 'pack.yaml'])\n"
              "assert result.exit_code == 0, result.output\n"
              "print(sorted(m for m in sys.modules if m.split('.')[0] in {'httpx', 'httpcore', 'protego'}"
              " or m == 'claimaudit.ingest.web'))\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=work, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "CLAIMAUDIT_CACHE_DIR": str(work / "cache")})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# --------------------------------------------------------------------------- hostile responses


def _gzip(data: bytes | list[bytes]) -> bytes:
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    pieces = data if isinstance(data, list) else [data]
    return b"".join(packer.compress(piece) for piece in pieces) + packer.flush()


@pytest.mark.parametrize("coding", ["gzip", "deflate", "gzip, gzip"])
def test_a_compressed_page_is_unpacked_and_read(site, work, coding):
    import zlib

    body = page(SUPPORTED, CURE).encode()
    packed = {"gzip": _gzip(body), "deflate": zlib.compress(body), "gzip, gzip": _gzip(_gzip(body))}[coding]
    site.routes["/packed"] = Reply(body=packed, headers={"Content-Type": "text/html; charset=utf-8",
                                                         "Content-Encoding": coding})
    result = run("check", site.url("/packed"), "-s", "pack.yaml", "--delay", "0")
    assert result.exit_code == 1, result.output
    assert "1 supported, 1 overstated" in result.stdout


def test_a_compression_bomb_breaches_the_size_limit_without_filling_memory(site, work):
    # 826 bytes on the wire, 400 MB unpacked: httpx's own decoders unpack a layer in one piece.
    inner = _gzip([b"<p>"] + [b"a" * (1 << 20)] * 400)
    site.routes["/bomb"] = Reply(body=_gzip(inner), headers={"Content-Type": "text/html; charset=utf-8",
                                                             "Content-Encoding": "gzip, gzip"})
    # The run reports its own peak memory as it exits (VmHWM counts this process alone, unlike
    # a child's rusage, which also counts the test process it was forked from).
    script = ("import atexit, sys\n"
              "def peak():\n"
              "    with open('/proc/self/status') as status, open('peak.txt', 'w') as out:\n"
              "        out.write(next(l for l in status if l.startswith('VmHWM:')).split()[1])\n"
              "atexit.register(peak)\n"
              "from claimaudit.cli import main\n"
              "main(sys.argv[1:], prog_name='claimaudit')\n")
    if not Path("/proc/self/status").exists():
        pytest.skip("needs /proc to read a process's peak memory")
    clean = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    result = subprocess.run([sys.executable, "-c", script, "check", site.url("/bomb"), "-s", "pack.yaml",
                             "--delay", "0"], cwd=work, capture_output=True, text=True, timeout=60,
                            env={**clean, "CLAIMAUDIT_CACHE_DIR": str(work / "cache")})
    line = result.stderr.strip()
    assert result.returncode == 2 and len(line.splitlines()) == 1, line
    assert site.url("/bomb") in line and "max-input-bytes" in line
    assert int((work / "peak.txt").read_text()) < 250 * 1024  # kilobytes: far below the 400 MB unpacked


def test_a_body_in_an_encoding_not_asked_for_is_refused_naming_it(site, work):
    site.routes["/br"] = Reply(body=b"\x8b\x03\x80<p>x</p>\x03", headers={"Content-Type": "text/html",
                                                                         "Content-Encoding": "br"})
    result = run("check", site.url("/br"), "-s", "pack.yaml", "--delay", "0")
    assert result.exit_code == 2
    line = one_error_line(result)
    assert site.url("/br") in line and "Content-Encoding: br" in line


@pytest.mark.parametrize("head, says", [
    ('<meta http-equiv="Refresh" content="0; URL=\'/knee\'">', "sends the reader on to {knee}"),
    ("<script>document.write('Our injections cure knee pain.')</script>", "written by scripts"),
    ("", "no text to audit on this page"),
], ids=["meta-refresh", "scripts-only", "empty"])
def test_a_page_with_no_text_is_exit_2_saying_why(site, work, head, says):
    site.html("/stub", f"<!DOCTYPE html><html><head>{head}</head><body></body></html>")
    site.html("/knee", page(CURE))
    result = run("check", site.url("/stub"), "-s", "pack.yaml", "--delay", "0")
    assert result.exit_code == 2
    line = one_error_line(result)
    assert site.url("/stub") in line and says.format(knee=site.url("/knee")) in line


def test_a_base_that_is_not_a_web_address_does_not_hide_a_crawl_s_links(site, work):
    site.html("/", '<html><head><base href="javascript:void(0)"></head><body>'
                   f'<p>{SUPPORTED}</p><a href="/a">more</a></body></html>')
    site.html("/a", page(CURE))
    result = run("check", "--crawl", site.url("/"), "-s", "pack.yaml", "--delay", "0")
    assert result.exit_code == 1, result.output
    assert "/a" in site.paths() and "2 documents" in result.stdout


def test_a_rerun_never_removes_a_reviewer_s_own_numbered_files_from_the_fetched_folder(site, work):
    site.html("/a", page(SUPPORTED))
    kept = work / "kept"
    kept.mkdir()
    own = {"2024-summary.json": '{"note": "the reviewer\'s own"}', "100-site.html": "<p>saved by hand</p>",
           "300-list.json": "[1, 2]"}
    for name, text in own.items():
        (kept / name).write_text(text, encoding="utf-8")
    for _ in range(2):
        result = run("check", site.url("/a"), "-s", "pack.yaml", "--delay", "0", "--fetched", "kept")
        assert result.exit_code == 0, result.output
    assert {name: (kept / name).read_text(encoding="utf-8") for name in own} == own
    assert len([r for r in records(kept) if isinstance(r, dict) and r.get("role")]) == 2


def test_a_robots_txt_whose_body_never_arrives_whole_stops_every_fetch_on_the_host(site, work):
    # The status line says 200, then the rules trickle in too slowly to be read: nothing is allowed.
    site.routes["/robots.txt"] = Reply(body=b"User-agent: *\nDisallow: /\n" * 20,
                                       headers={"Content-Type": "text/plain"}, trickle=0.05)
    site.html("/knee", page(CURE))
    result = _cli(["check", site.url("/knee"), "-s", "pack.yaml", "--delay", "0"],
                  {"CLAIMAUDIT_MAX_FETCH_SECONDS": "0.5", "CLAIMAUDIT_CACHE_DIR": str(work / "cache")}, work)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and site.url("/knee") in lines[0] and "robots.txt could not be read" in lines[0]
    assert "/knee" not in site.paths()
