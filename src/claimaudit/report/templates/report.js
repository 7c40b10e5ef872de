/* claimaudit report: filter, sort, page, details and jumps between the table and the copy.

   The page's data is one JSON island (script#audit-data, built by html_report.build_island):
   string tables and rows of indices. A small report has its rows, details and copy written
   into the page; the script filters and sorts them. A large one (table[data-rows=script]) has
   them built here from the island, a page of rows at a time, a detail when it is opened and a
   document's copy when it is asked for, with the same markup the templates write. Text only
   ever reaches the page as text nodes and attribute values, never as markup. */
(function () {
  "use strict";

  var island = JSON.parse(document.getElementById("audit-data").textContent);
  var table = document.getElementById("claims-table");
  if (!table || !island || island.format !== "claimaudit-report-island" || island.version !== 1) { return; }

  /* ---- reading the island ---- */

  var S = island.strings;

  function decode(name, make) {
    var at = {};
    island[name].fields.forEach(function (field, i) { at[field] = i; });
    return island[name].rows.map(function (row, i) { return make(row, at, i); });
  }
  function str(i) { return S[i]; }
  /* Only a web address becomes a link (the report writes no other), whatever the data says. */
  function webLink(url) { return /^https?:\/\/[^\s\/?#]/i.test(url) ? url : ""; }

  var sources = decode("sources", function (r, at) {
    return { id: S[r[at.id]], citation: S[r[at.citation]], link: webLink(S[r[at.link]]) };
  });
  var rules = decode("rules", function (r, at) {
    return { code: S[r[at.code]], name: S[r[at.name]], family: S[r[at.family]], useInstead: S[r[at.use_instead]] };
  });
  var reviews = decode("reviews", function (r, at) {
    return { status: S[r[at.status]], label: S[r[at.label]], decision: S[r[at.decision]], comment: S[r[at.comment]],
      reviewer: S[r[at.reviewer]], date: S[r[at.date]], note: S[r[at.note]],
      roles: r[at.roles].map(function (x) {
        return { role: S[x[0]], decision: S[x[1]], comment: S[x[2]], reviewer: S[x[3]], date: S[x[4]] };
      }),
      problems: r[at.problems].map(str) };
  });
  var noReview = { status: "", label: "", decision: "", comment: "", reviewer: "", date: "", note: "", roles: [], problems: [] };
  var libraries = decode("libraries", function (r, at) {
    return { id: S[r[at.id]], status: S[r[at.status]], label: S[r[at.label]], approvedText: S[r[at.approved_text]],
      differences: r[at.differences].map(str), approvedBy: S[r[at.approved_by]], approvedOn: S[r[at.approved_on]],
      expiresOn: S[r[at.expires_on]] };
  });
  var alignments = decode("alignments", function (r, at) {
    return { element: S[r[at.element]], status: S[r[at.status]], claimWords: S[r[at.claim_words]],
      evidenceWords: S[r[at.evidence_words]], source: S[r[at.source]], clause: S[r[at.clause]],
      meaning: r[at.meaning] ? S[r[at.meaning]] : "" };
  });
  var documents = decode("documents", function (r, at, i) {
    return { index: i, path: r[at.path], counts: [r[at.supported], r[at.overstated], r[at.unsupported]],
      total: r[at.total], copy: r[at.copy] };
  });
  var copies = decode("copies", function (r, at, i) {
    return { index: i, dom: r[at.dom], path: r[at.path], claims: r[at.claims], url: webLink(S[r[at.url]]),
      fetchedAt: S[r[at.fetched_at]], pages: r[at.pages], pageKind: S[r[at.page_kind]], text: r[at.text],
      pieces: r[at.pieces] };
  });
  var claims = decode("claims", function (r, at, i) {
    return {
      index: i, number: i + 1, id: r[at.id], dom: r[at.dom], document: r[at.document],
      path: documents[r[at.document]] ? documents[r[at.document]].path : "",
      line: r[at.line], column: r[at.column], place: S[r[at.place]], url: webLink(S[r[at.url]]),
      fetchedAt: S[r[at.fetched_at]], verdict: S[r[at.verdict]], confidence: r[at.confidence],
      confidenceText: S[r[at.confidence_text]], text: S[r[at.text]], inCopy: r[at.in_copy] === 1,
      claimType: S[r[at.claim_type]], section: S[r[at.section]], scope: S[r[at.scope]],
      scopeLabel: S[r[at.scope_label]], families: r[at.families].map(str),
      reasons: r[at.reasons].map(function (x) {
        var rule = rules[x[0]];
        return { code: rule.code, name: rule.name, family: rule.family, useInstead: rule.useInstead,
          verdict: S[x[1]], message: S[x[2]] };
      }),
      evidence: r[at.evidence].map(function (x) {
        var source = sources[x[0]];
        return { source: source.id, citation: source.citation, link: source.link, text: S[x[1]],
          similarity: x[2], similarityText: S[x[3]], page: x[4] };
      }),
      excerpt: S[r[at.excerpt]], claimPieces: r[at.claim_pieces], evidencePieces: r[at.evidence_pieces],
      suggestion: S[r[at.suggestion]], review: r[at.review] >= 0 ? reviews[r[at.review]] : noReview,
      suppressed: r[at.suppressed].map(function (x) { return { rule: S[x[0]], reason: S[x[1]] }; }),
      alignment: r[at.alignment].map(function (k) { return alignments[k]; }),
      registerId: S[r[at.register_id]], library: r[at.library] >= 0 ? libraries[r[at.library]] : null
    };
  });
  var byDom = {};
  claims.forEach(function (c) { byDom[c.dom] = c.index; });

  var scriptRows = table.getAttribute("data-rows") === "script";
  var pageSize = Math.max(1, Number(table.getAttribute("data-page-size")) || 100);
  var verdictRank = { supported: 0, overstated: 1, unsupported: 2 };
  var collator = new Intl.Collator();  /* as localeCompare, without building one per comparison */

  /* ---- building markup as the templates write it ---- */

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    if (attributes) {
      Object.keys(attributes).forEach(function (name) {
        var value = attributes[name];
        if (value !== null && value !== undefined && value !== false) { node.setAttribute(name, value === true ? "" : value); }
      });
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === "") { return; }
      if (Array.isArray(child)) { append(node, child); return; }
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function muted(text) { return el("span", { "class": "muted" }, [text]); }
  function badge(verdict) { return el("span", { "class": "badge v-" + verdict }, [verdict]); }

  function sourceRef(item) {
    return [item.link ? el("a", { href: item.link, rel: "noopener noreferrer" }, [item.source]) : item.source,
      item.page ? ", p.\u00a0" + item.page : ""];
  }

  /* "a.b.c" with a break allowed after each separator, as the templates do with <wbr>. */
  function breakable(text, separator) {
    var out = [];
    text.split(separator).forEach(function (part, i, parts) {
      out.push(part);
      if (i < parts.length - 1) { out.push(separator, el("wbr")); }
    });
    return out;
  }

  var PIECE_CLASSES = ["", "hl-fired", "hl-shared"];

  /* Highlighted runs: [length, kind, length, kind, ...] over the text, in UTF-16 units
     (or [text, kind, ...] where the runs do not join up to the text). */
  function pieces(text, flat) {
    var out = [], at = 0;
    for (var i = 0; i < flat.length; i += 2) {
      var run = typeof flat[i] === "string" ? flat[i] : text.substr(at, flat[i]);
      at += run.length;
      out.push(flat[i + 1] ? el("span", { "class": PIECE_CLASSES[flat[i + 1]] }, [run]) : run);
    }
    return out;
  }

  /* "1 decision does not count", as the template says it. */
  function notCounted(count) { return count + " decision" + (count === 1 ? " does" : "s do") + " not count"; }

  function reviewState(review) {
    var decided = review.roles.filter(function (role) { return role.decision; });
    if (!review.decision && !review.status && !decided.length && !review.problems.length) { return null; }
    return el("div", { "class": "review-state" }, [
      review.decision ? el("span", { "class": "decision" }, [review.decision]) : "",
      review.status && review.status !== "carried" ? [" ", el("span", { "class": "tag review-" + review.status }, [review.label])] : "",
      decided.map(function (role) { return el("span", { "class": "role-decision" }, [role.role + ": " + role.decision]); }),
      review.problems.length ? el("span", { "class": "tag not-counted" }, [notCounted(review.problems.length)]) : "",
      review.reviewer ? muted(review.reviewer) : "",
      review.date ? el("span", { "class": "muted nowrap" }, [review.date]) : ""
    ]);
  }

  function libraryTag(library) {
    return el("span", { "class": "library library-" + library.status }, [library.label]);
  }

  function mainRow(c) {
    var best = c.evidence.length ? c.evidence[0] : null;
    var ids = null;
    if (c.registerId || c.library) {
      ids = el("p", { "class": "claim-ids" }, [
        c.registerId ? el("span", { "class": "register-id" }, [c.registerId]) : "",
        c.registerId && c.library ? " " : "",
        c.library ? [libraryTag(c.library), c.library.differences.length ?
          el("span", { "class": "library-differences" }, [": " + c.library.differences.join("; ")]) : ""] : ""
      ]);
    }
    return el("tr", { "class": "main v-row-" + c.verdict, id: "row-" + c.dom, tabindex: "0", "aria-describedby": "claim-" + c.dom }, [
      el("td", { "class": "num" }, [String(c.number)]),
      el("td", { "class": "verdict" }, [badge(c.verdict), reviewState(c.review)]),
      el("td", { "class": "claim" }, [
        ids,
        el("p", { id: "claim-" + c.dom, "class": "claim-text" }, [c.inCopy ?
          el("a", { href: "#mark-" + c.dom, "class": "to-copy", title: "Show this claim in the copy" }, [c.text]) : c.text]),
        el("button", { type: "button", "class": "toggle-details", "aria-expanded": "false", "aria-controls": "detail-" + c.dom }, ["Details"])
      ]),
      el("td", { "class": "where" }, [breakable(c.path, "/"), el("br"), muted(c.place),
        c.url ? [el("br"), el("a", { "class": "fetched", href: c.url, rel: "noopener noreferrer nofollow" }, [c.url])] : ""]),
      el("td", { "class": "reasons" }, [c.reasons.length ? el("ul", null, c.reasons.map(function (reason) {
        return el("li", null, [el("span", { "class": "rule-code" }, [reason.code]), " ",
          el("span", { "class": "rule-name" }, breakable(reason.name, ".")), ": " + reason.message]);
      })) : muted("No rule fired.")]),
      el("td", { "class": "evidence" }, best ? [el("q", null, [c.excerpt]), el("div", { "class": "muted" }, sourceRef(best))]
        : [muted("No related evidence in the sources.")]),
      el("td", { "class": "score" }, [best ? best.similarityText : "\u2013"]),
      el("td", { "class": "score" }, [c.confidenceText]),
      el("td", { "class": "suggestion" }, [c.suggestion])
    ]);
  }

  function detailContent(c) {
    var best = c.evidence.length ? c.evidence[0] : null;
    var out = [];
    var where = [c.path + ", " + c.place];
    if (c.url) {
      where.push(" (", el("a", { href: c.url, rel: "noopener noreferrer nofollow" }, [c.url]),
        c.fetchedAt ? ", fetched " + c.fetchedAt : "", ")");
    }
    if (c.section) { where.push(", section \u201c" + c.section + "\u201d"); }
    if (c.claimType) { where.push("; " + c.claimType + " claim"); }
    if (c.scope && c.scope !== "body") { where.push("; in the " + c.scopeLabel); }
    out.push(el("div", { "class": "side-by-side" }, [
      el("div", { "class": "pane" }, [
        el("h3", null, ["Claim " + c.number + " ", badge(c.verdict)]),
        el("p", { "class": "passage" }, pieces(c.text, c.claimPieces)),
        el("p", { "class": "muted" }, where)
      ]),
      el("div", { "class": "pane" }, best ? [
        el("h3", null, [(c.verdict === "unsupported" ? "Closest evidence" : "Best evidence") + ": ", sourceRef(best), " ",
          muted("(similarity " + best.similarityText + ")")]),
        el("p", { "class": "passage" }, pieces(best.text, c.evidencePieces)),
        el("p", { "class": "muted" }, [best.citation])
      ] : [
        el("h3", null, [c.verdict === "unsupported" ? "Closest evidence" : "Best evidence"]),
        el("p", { "class": "muted" }, ["No source sentence is related to this claim."])
      ])
    ]));
    out.push(el("p", { "class": "legend" }, [el("span", { "class": "hl-fired" }, ["words that fired a rule"]), " ",
      el("span", { "class": "hl-shared" }, ["words claim and evidence share"])]));
    if (c.reasons.length) {
      out.push(el("h4", null, ["Why"]), el("ul", null, c.reasons.map(function (reason) {
        return el("li", null, [badge(reason.verdict), " ", el("span", { "class": "rule-code" }, [reason.code]), " ",
          el("span", { "class": "rule-name" }, [reason.name]), reason.family ? " (" + reason.family + ")" : "",
          ": " + reason.message, reason.useInstead ? [" ", muted("Instead: " + reason.useInstead)] : ""]);
      })));
    }
    if (c.library) {
      var lib = c.library, approved = [];
      if (lib.approvedBy) {
        approved.push(" approved by " + lib.approvedBy + (lib.approvedOn ? " on " + lib.approvedOn : ""));
      } else if (lib.approvedOn) {
        approved.push(" approved on " + lib.approvedOn);
      }
      if (lib.expiresOn) { approved.push("; " + (lib.status === "expired" ? "expired" : "expires") + " on " + lib.expiresOn); }
      out.push(el("h4", null, ["Claims library"]), el("p", { "class": "library-detail" }, [libraryTag(lib), approved]));
      if (lib.approvedText) {
        out.push(el("p", null, ["Approved wording: ", el("q", { "class": "approved-text" }, [lib.approvedText])]));
      }
      if (lib.differences.length) {
        out.push(el("ul", { "class": "library-differences" }, lib.differences.map(function (d) { return el("li", null, [d]); })));
      }
    }
    if (c.alignment.length) {
      out.push(el("h4", null, ["Element by element"]), el("table", { "class": "alignment" }, [
        el("thead", null, [el("tr", null, [el("th", null, ["Element"]), el("th", null, ["In the claim"]),
          el("th", null, ["In the evidence"]), el("th", null, ["Status"])])]),
        el("tbody", null, c.alignment.map(function (a) {
          return el("tr", { "class": "status-" + a.status.split(" ").join("-") }, [
            el("td", null, [a.element, a.clause ? [" ", muted("(" + a.clause + ")")] : ""]),
            el("td", null, [a.claimWords]),
            el("td", null, [a.evidenceWords, a.source ? [" ", muted("(" + a.source + ")")] : ""]),
            el("td", null, [a.status, a.meaning ? " by meaning (" + a.meaning + ")" : ""])
          ]);
        }))
      ]));
    }
    if (c.suggestion) {
      out.push(el("h4", null, ["Suggested wording"]), el("p", { "class": "suggested" }, [c.suggestion]));
    }
    if (c.evidence.length > 1) {
      out.push(el("h4", null, ["All evidence considered"]), el("ol", null, c.evidence.map(function (item) {
        return el("li", null, [sourceRef(item), " ", muted("(similarity " + item.similarityText + ")"), ": " + item.text]);
      })));
    }
    var review = c.review;
    if (review.decision || review.comment || review.note || review.roles.length || review.problems.length) {
      out.push(el("h4", null, ["Review"]), el("p", { "class": "review-detail" }, [
        review.decision ? el("strong", null, [review.decision]) : "No decision yet",
        review.reviewer ? " by " + review.reviewer : "", review.date ? " on " + review.date : "",
        review.comment ? ": " + review.comment : ""]));
      if (review.roles.length) {
        out.push(el("ul", { "class": "review-roles" }, review.roles.map(function (role) {
          return el("li", null, [el("strong", null, [role.role]), ": " + (role.decision || "no decision yet") +
            (role.reviewer ? " by " + role.reviewer : "") + (role.date ? " on " + role.date : "") +
            (role.comment ? ": " + role.comment : "")]);
        })));
      }
      if (review.problems.length) {
        out.push(el("p", { "class": "review-problems-title" }, [notCounted(review.problems.length) +
          ": a decision counts only with a reviewer name and a valid date."]),
          el("ul", { "class": "review-problems" }, review.problems.map(function (problem) { return el("li", null, [problem]); })));
      }
      if (review.note) { out.push(el("p", { "class": "muted" }, [review.note])); }
    }
    if (c.suppressed.length) {
      out.push(el("h4", null, ["Suppressed rules"]), el("ul", null, c.suppressed.map(function (item) {
        return el("li", null, [el("span", { "class": "rule-name" }, [item.rule]), ": " + item.reason]);
      })));
    }
    out.push(el("p", { "class": "muted" }, ["Finding ID " + c.id + (c.registerId ? "; register id " + c.registerId : "")]));
    return out;
  }

  function findingBody(c) {
    var body = el("tbody", { "class": "finding", id: "finding-" + c.dom, "data-index": String(c.index),
      "data-verdict": c.verdict, "data-families": c.families.join(" "), "data-document": String(c.document),
      "data-review": c.review.status, "data-decision": c.review.decision }, [
      mainRow(c),
      el("tr", { "class": "detail", id: "detail-" + c.dom, hidden: true }, [el("td", { colspan: "9" })])
    ]);
    return body;
  }

  /* ---- the copy of one document ---- */

  function copyView(copy) {
    var runs = [], at = 0;
    copy.pieces.forEach(function (piece) {
      if (typeof piece === "number") {
        runs.push(copy.text.substr(at, piece));
        at += piece;
        return;
      }
      var text = copy.text.substr(at, piece[0]), excluded = piece[1] === 1, owner = piece[2];
      var covering = piece[3], starting = piece[4], ending = piece[5];
      at += piece[0];
      starting.slice(1).forEach(function (i) {
        runs.push(el("span", { "class": "mark-anchor", id: "mark-" + claims[i].dom, tabindex: "-1" }));
      });
      if (owner >= 0 && claims[owner].verdict) {
        runs.push(el("mark", {
          "class": "v-" + claims[owner].verdict + (excluded ? " excluded" : ""),
          id: starting.length ? "mark-" + claims[starting[0]].dom : null,
          tabindex: starting.length ? "-1" : null,
          "data-row": "row-" + claims[owner].dom,
          title: covering.map(function (i) { return "Claim " + claims[i].number + ": " + claims[i].verdict; }).join("; ")
        }, [text]));
      } else if (excluded) {
        runs.push(el("span", { "class": "excluded" }, [text]));
      } else {
        runs.push(text);
      }
      ending.forEach(function (i) {
        runs.push(el("a", { "class": "backref", href: "#row-" + claims[i].dom,
          "aria-label": "Back to claim " + claims[i].number + " in the table" }, [String(claims[i].number)]));
      });
    });
    var plural = function (n) { return n === 1 ? "" : "s"; };
    return el("article", { "class": "document", id: copy.dom, "aria-labelledby": copy.dom + "-title" }, [
      el("h3", { id: copy.dom + "-title" }, [copy.path + " ", muted("(" + copy.claims + " claim" + plural(copy.claims) +
        (copy.pages ? ", " + copy.pages + " " + copy.pageKind + plural(copy.pages) : "") + ")")]),
      copy.url ? el("p", { "class": "muted" }, ["Fetched from ", el("a", { href: copy.url, rel: "noopener noreferrer nofollow" }, [copy.url]),
        copy.fetchedAt ? " at " + copy.fetchedAt : "", "."]) : null,
      el("div", { "class": "copy-text" }, runs)
    ]);
  }

  var copyHolder = document.getElementById("copy-view");

  /* Show one document's copy in a report whose copy is built on demand. */
  function openCopy(copyIndex) {
    var copy = copies[copyIndex];
    if (!copy || !copyHolder) { return null; }
    var shown = document.getElementById(copy.dom);
    if (shown) { return shown; }
    while (copyHolder.firstChild) { copyHolder.removeChild(copyHolder.firstChild); }
    return copyHolder.appendChild(copyView(copy));
  }

  /* ---- which claims show, in what order ---- */

  var controls = {
    verdict: document.getElementById("filter-verdict"),
    family: document.getElementById("filter-family"),
    document: document.getElementById("filter-document"),
    review: document.getElementById("filter-review"),
    text: document.getElementById("filter-text")
  };
  var status = document.getElementById("filter-status");
  var haystacks = null;

  function haystack(c) {
    var parts = [c.number, c.text, c.path, c.place, c.url, c.suggestion, c.section, c.claimType, c.scopeLabel,
      c.id, c.registerId, c.review.decision, c.review.label, c.review.reviewer, c.review.date, c.review.comment, c.review.note];
    c.reasons.forEach(function (r) { parts.push(r.code, r.name, r.family, r.verdict, r.message, r.useInstead); });
    c.evidence.forEach(function (e) { parts.push(e.source, e.citation, e.text); });
    c.alignment.forEach(function (a) { parts.push(a.element, a.claimWords, a.evidenceWords, a.status); });
    c.suppressed.forEach(function (s) { parts.push(s.rule, s.reason); });
    if (c.library) { parts.push(c.library.label, c.library.approvedText, c.library.differences.join(" ")); }
    return parts.join("\n").toLowerCase();
  }

  function matching() {
    var verdict = controls.verdict ? controls.verdict.value : "";
    var family = controls.family ? controls.family.value : "";
    var doc = controls.document ? controls.document.value : "";
    var terms = controls.text ? controls.text.value.toLowerCase().split(/\s+/).filter(Boolean) : [];
    /* "status:changed" or "decision:Approve"; absent when no review was carried. */
    var review = controls.review ? controls.review.value : "";
    var reviewField = review ? review.slice(0, review.indexOf(":")) : "";
    var reviewValue = review ? review.slice(review.indexOf(":") + 1) : "";
    if (terms.length && !haystacks) { haystacks = claims.map(haystack); }
    return claims.map(function (c) {
      return (!verdict || c.verdict === verdict) &&
        (!family || c.families.indexOf(family) !== -1) &&
        (!doc || String(c.document) === doc) &&
        (!review || (reviewField === "status" ? c.review.status : c.review.decision) === reviewValue) &&
        terms.every(function (term) { return haystacks[c.index].indexOf(term) !== -1; });
    });
  }

  function sortKey(c, key) {
    var best = c.evidence.length ? c.evidence[0] : null;
    switch (key) {
      case "number": return c.index;
      case "verdict": return verdictRank.hasOwnProperty(c.verdict) ? verdictRank[c.verdict] : -1;
      case "claim": return c.text.trim().toLowerCase();
      case "where": return c.document * 1e9 + c.line * 1e4 + Math.min(c.column, 9999);
      case "reasons": return c.reasons.map(function (r) { return r.code || r.name; }).join(" ");
      case "evidence": return best ? (best.source + " " + best.text).toLowerCase() : "";
      case "similarity": return best ? best.similarity : -1;
      case "confidence": return c.confidence;
      case "suggestion": return c.suggestion.trim().toLowerCase();
      default: return 0;
    }
  }

  var order = claims.map(function (c) { return c.index; });  /* every claim, in the sorted order */
  var shownFlags = claims.map(function () { return true; });
  var shownList = order.slice();  /* the claims that pass the filters, in order */
  var page = 0;
  var openDetails = {};

  function pageCount(list, size) { return Math.max(1, Math.ceil(list.length / size)); }

  /* ---- the claims table ---- */

  var pageNote = document.getElementById("claims-page-note");
  var bodies = scriptRows ? [] : Array.prototype.slice.call(table.querySelectorAll("tbody.finding"));
  var bodyOf = {};
  bodies.forEach(function (body) { bodyOf[body.getAttribute("data-index")] = body; });

  function fillDetail(body) {
    var detail = body.querySelector("tr.detail");
    var cell = detail.firstElementChild;
    if (scriptRows && cell && !cell.firstChild) {
      append(cell, detailContent(claims[Number(body.getAttribute("data-index"))]));
    }
    return detail;
  }

  function toggleDetails(body, open) {
    var button = body.querySelector("button.toggle-details");
    var detail = fillDetail(body);
    var expand = typeof open === "boolean" ? open : detail.hidden;
    detail.hidden = !expand;
    button.setAttribute("aria-expanded", expand ? "true" : "false");
    openDetails[body.getAttribute("data-index")] = expand;
  }

  function renderRows() {
    if (!scriptRows) {
      bodies.forEach(function (body) { body.hidden = !shownFlags[Number(body.getAttribute("data-index"))]; });
      return;
    }
    var pages = pageCount(shownList, pageSize);
    page = Math.min(Math.max(page, 0), pages - 1);
    Array.prototype.slice.call(table.querySelectorAll("tbody.finding")).forEach(function (body) {
      table.removeChild(body);
    });
    var fragment = document.createDocumentFragment();
    shownList.slice(page * pageSize, (page + 1) * pageSize).forEach(function (i) {
      var body = findingBody(claims[i]);
      fragment.appendChild(body);
      if (openDetails[i]) { toggleDetails(body, true); }
    });
    table.appendChild(fragment);
    updatePagers("claims-table", page, pageSize, shownList.length, "Claims");
    if (pageNote) {
      /* On paper the page controls are gone: say which claims this is, and where the rest are. */
      var first = shownList.length ? page * pageSize + 1 : 0;
      pageNote.textContent = "Claims " + first + "\u2013" + Math.min(shownList.length, (page + 1) * pageSize) +
        " of the " + shownList.length + (shownList.length === claims.length ? "" : " that match the filters (" +
        claims.length + " in the audit)") + " are shown here; the JSON report and the workbook list every claim.";
    }
  }

  function applyFilters() {
    shownFlags = matching();
    shownList = order.filter(function (i) { return shownFlags[i]; });
    page = 0;
    renderRows();
    if (status) { status.textContent = "Showing " + shownList.length + " of " + claims.length + " claims."; }
  }

  function clearFilters() {
    ["verdict", "family", "document", "review", "text"].forEach(function (name) {
      if (controls[name]) { controls[name].value = ""; }
    });
    applyFilters();
  }

  ["verdict", "family", "document", "review"].forEach(function (name) {
    if (controls[name]) { controls[name].addEventListener("change", applyFilters); }
  });
  if (controls.text) { controls.text.addEventListener("input", applyFilters); }
  var reset = document.getElementById("filter-reset");
  if (reset) { reset.addEventListener("click", clearFilters); }

  function sortBy(button) {
    var key = button.getAttribute("data-sort");
    var numeric = button.getAttribute("data-kind") === "number";
    var header = button.parentNode;
    var direction = header.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    table.querySelectorAll("thead th").forEach(function (th) { th.setAttribute("aria-sort", "none"); });
    header.setAttribute("aria-sort", direction);
    var sign = direction === "ascending" ? 1 : -1;
    var keyed = claims.map(function (c) { return { index: c.index, key: sortKey(c, key) }; });
    keyed.sort(function (a, b) {
      var result = numeric ? a.key - b.key : collator.compare(String(a.key), String(b.key));
      return result !== 0 ? sign * result : a.index - b.index;
    });
    order = keyed.map(function (item) { return item.index; });
    shownList = order.filter(function (i) { return shownFlags[i]; });
    page = 0;
    if (!scriptRows) { order.forEach(function (i) { if (bodyOf[i]) { table.appendChild(bodyOf[i]); } }); }
    renderRows();
  }

  table.querySelectorAll("button.sort").forEach(function (button) {
    button.addEventListener("click", function () { sortBy(button); });
  });

  table.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.toggle-details") : null;
    if (button) { toggleDetails(button.closest("tbody.finding")); }
  });

  /* ---- pages ---- */

  function updatePagers(target, current, size, count, noun) {
    var pages = pageCount({ length: count }, size);
    var first = count ? current * size + 1 : 0;
    var last = Math.min(count, (current + 1) * size);
    document.querySelectorAll("nav.pager[data-for='" + target + "']").forEach(function (nav) {
      nav.querySelector(".page-count").textContent = String(pages);
      var input = nav.querySelector(".page-number");
      input.value = String(current + 1);
      input.setAttribute("max", String(pages));
      nav.querySelector(".page-status").textContent = noun + " " + first + "\u2013" + last + " of " + count;
      nav.querySelector("[data-page=first]").disabled = current === 0;
      nav.querySelector("[data-page=previous]").disabled = current === 0;
      nav.querySelector("[data-page=next]").disabled = current >= pages - 1;
      nav.querySelector("[data-page=last]").disabled = current >= pages - 1;
    });
  }

  function wirePagers(target, goToPage) {
    document.querySelectorAll("nav.pager[data-for='" + target + "']").forEach(function (nav) {
      nav.addEventListener("click", function (event) {
        var button = event.target.closest ? event.target.closest("button[data-page]") : null;
        if (button) { goToPage(button.getAttribute("data-page")); }
      });
      nav.querySelector(".page-number").addEventListener("change", function (event) {
        var wanted = Math.floor(Number(event.target.value));
        if (wanted >= 1) { goToPage(wanted - 1); }
      });
    });
  }

  function movePage(current, pages, move) {
    if (move === "first") { return 0; }
    if (move === "previous") { return Math.max(0, current - 1); }
    if (move === "next") { return Math.min(pages - 1, current + 1); }
    if (move === "last") { return pages - 1; }
    return Math.min(pages - 1, Math.max(0, move));
  }

  function turnClaimsPage(move) {
    page = movePage(page, pageCount(shownList, pageSize), move);
    renderRows();
  }

  if (scriptRows) { wirePagers("claims-table", turnClaimsPage); }

  /* ---- keyboard ---- */

  function visibleRows() {
    return Array.prototype.slice.call(table.querySelectorAll("tbody.finding:not([hidden]) > tr.main"));
  }

  table.addEventListener("keydown", function (event) {
    var row = event.target;
    if (!row.classList || !row.classList.contains("main")) { return; }
    var rows = visibleRows();
    var at = rows.indexOf(row);
    var next = null;
    var pages = pageCount(shownList, pageSize);
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      toggleDetails(row.parentNode);
      return;
    }
    if (scriptRows && ((event.key === "ArrowDown" && at === rows.length - 1 && page < pages - 1) ||
        (event.key === "PageDown" && page < pages - 1))) {
      turnClaimsPage("next");
      next = visibleRows()[0];
    } else if (scriptRows && ((event.key === "ArrowUp" && at === 0 && page > 0) || (event.key === "PageUp" && page > 0))) {
      turnClaimsPage("previous");
      rows = visibleRows();
      next = event.key === "PageUp" ? rows[0] : rows[rows.length - 1];
    } else if (event.key === "ArrowDown") { next = rows[at + 1]; }
    else if (event.key === "ArrowUp") { next = rows[at - 1]; }
    else if (event.key === "Home") { next = rows[0]; }
    else if (event.key === "End") { next = rows[rows.length - 1]; }
    else { return; }
    event.preventDefault();
    if (next) { next.focus(); }
  });

  /* ---- lists the script pages and searches: documents, text not audited ---- */

  /* rows: the tbody; items: what it lists; text(item): what a search looks in; build(item): its row.
     A list written whole into the page (data-rows=server) is left as it is. */
  function pagedList(rows, items, text, build, noun, search, status) {
    var holder = rows ? rows.closest("table") : null;
    if (!holder || holder.getAttribute("data-rows") === "server" || !document.querySelector("nav.pager[data-for='" + rows.id + "']")) {
      return;
    }
    var size = Math.max(1, Number(holder.getAttribute("data-page-size")) || 25);
    var list = items.map(function (item, i) { return i; });
    var at = 0;
    var lowered = null;
    function render() {
      at = Math.min(Math.max(at, 0), pageCount(list, size) - 1);
      while (rows.firstChild) { rows.removeChild(rows.firstChild); }
      list.slice(at * size, (at + 1) * size).forEach(function (i) { rows.appendChild(build(items[i], i)); });
      var query = search ? search.value.trim() : "";
      if (status) {
        status.textContent = query ? list.length + " of " + items.length + " " + noun.toLowerCase() + " match \u201c" + query + "\u201d."
          : items.length + " " + noun.toLowerCase() + ".";
      }
      updatePagers(rows.id, at, size, list.length, noun);
    }
    if (search) {
      search.addEventListener("input", function () {
        var terms = search.value.toLowerCase().split(/\s+/).filter(Boolean);
        if (!lowered) { lowered = items.map(function (item) { return text(item).toLowerCase(); }); }
        list = [];
        lowered.forEach(function (haystack, i) {
          if (terms.every(function (term) { return haystack.indexOf(term) !== -1; })) { list.push(i); }
        });
        at = 0;
        render();
      });
    }
    wirePagers(rows.id, function (move) {
      at = movePage(at, pageCount(list, size), move);
      render();
    });
    /* The first page may already be in the page, written as the script would write it. */
    if (rows.children.length) { updatePagers(rows.id, 0, size, list.length, noun); } else { render(); }
  }

  pagedList(document.getElementById("document-rows"), documents, function (d) { return d.path; }, function (d) {
    var copy = d.copy >= 0 ? copies[d.copy] : null;
    return el("tr", { "data-document": String(d.index) }, [
      el("th", { scope: "row" }, [copy ? el("a", { href: "#" + copy.dom }, [d.path]) : d.path]),
      d.counts.map(function (n) { return el("td", null, [String(n)]); }),
      el("td", null, [String(d.total)])
    ]);
  }, "Documents", document.getElementById("document-search"), document.getElementById("document-status"));

  var notAudited = decode("not_audited", function (r, at) {
    return { document: S[r[at.document]], place: S[r[at.place]], text: S[r[at.text]], where: S[r[at.where]],
      reason: S[r[at.reason]] };
  });
  pagedList(document.getElementById("not-audited-rows"), notAudited, function (item) {
    return [item.document, item.text, item.where, item.reason].join("\n");
  }, function (item) {
    return el("tr", null, [item.document, item.place, item.text, item.where, item.reason].map(function (value) {
      return el("td", null, [value]);
    }));
  }, "Pieces of text", document.getElementById("not-audited-search"), document.getElementById("not-audited-status"));

  /* ---- jumps between the table and the copy ---- */

  function flash(element) {
    var target = element.tagName === "TR" ? element.parentNode : element;
    target.classList.add("flash");
    window.setTimeout(function () { target.classList.remove("flash"); }, 2000);
  }

  /* The element an id names, rendering the page of rows or the copy it is on when needed. */
  function resolve(id) {
    var found = document.getElementById(id);
    var body = found && found.closest ? found.closest("tbody.finding") : null;
    if (found && !(body && body.hidden)) { return found; }
    var parts = /^(row|detail|claim|finding|mark)-(.+)$/.exec(id);
    var index = parts && byDom.hasOwnProperty(parts[2]) ? byDom[parts[2]] : -1;
    if (index < 0) {
      var copyIndex = -1;
      copies.forEach(function (copy, i) { if (copy.dom === id) { copyIndex = i; } });
      return copyIndex >= 0 ? openCopy(copyIndex) : found;
    }
    if (parts[1] === "mark") {
      var docCopy = documents[claims[index].document] ? documents[claims[index].document].copy : -1;
      if (docCopy >= 0) { openCopy(docCopy); }
      return document.getElementById(id);
    }
    if (!shownFlags[index]) { clearFilters(); }
    if (scriptRows) {
      var position = shownList.indexOf(index);
      if (Math.floor(position / pageSize) !== page || !document.getElementById(id)) {
        page = Math.floor(position / pageSize);
        renderRows();
      }
    }
    return document.getElementById(id);
  }

  function goTo(id) {
    var target = id ? resolve(id) : null;
    if (!target) { return; }
    target.scrollIntoView({ block: "center" });
    if (target.hasAttribute("tabindex")) { target.focus({ preventScroll: true }); }
    flash(target);
  }

  window.addEventListener("hashchange", function () { goTo(location.hash.slice(1)); });

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    if (link) {
      /* Following the link to the hash already in the address bar fires no hashchange. */
      if (link.getAttribute("href") === location.hash) {
        event.preventDefault();
        goTo(location.hash.slice(1));
      }
      return;
    }
    var mark = event.target.closest ? event.target.closest("mark[data-row]") : null;
    if (mark && mark.getAttribute("data-row")) {
      location.hash = "#" + mark.getAttribute("data-row");
    }
  });

  applyFilters();
  if (location.hash) { goTo(location.hash.slice(1)); }
}());
