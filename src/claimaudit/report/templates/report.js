/* claimaudit report: filter, sort, details and jumps between the table and the copy. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("audit-data").textContent);
  var table = document.getElementById("claims-table");
  if (!table) { return; }
  var bodies = Array.prototype.slice.call(table.querySelectorAll("tbody.finding"));
  var verdictRank = { supported: 0, overstated: 1, unsupported: 2 };
  var documentIndex = {};
  data.documents.forEach(function (doc, i) { documentIndex[doc.path] = i; });

  var controls = {
    verdict: document.getElementById("filter-verdict"),
    family: document.getElementById("filter-family"),
    document: document.getElementById("filter-document"),
    review: document.getElementById("filter-review"),
    text: document.getElementById("filter-text")
  };
  var status = document.getElementById("filter-status");
  var haystacks = bodies.map(function (body) { return body.textContent.toLowerCase(); });

  function findingOf(body) { return data.findings[Number(body.getAttribute("data-index"))]; }

  function sortKey(body, key) {
    var f = findingOf(body);
    var best = f.evidence.length ? f.evidence[0] : null;
    switch (key) {
      case "number": return Number(body.getAttribute("data-index"));
      case "verdict": return verdictRank.hasOwnProperty(f.verdict) ? verdictRank[f.verdict] : -1;
      case "claim": return f.text.trim().toLowerCase();
      case "where": return (documentIndex[f.document] || 0) * 1e9 + f.line * 1e4 + Math.min(f.column, 9999);
      case "reasons": return f.reasons.map(function (r) { return r.code || r.rule; }).join(" ");
      case "evidence": return best ? (best.source + " " + best.text).toLowerCase() : "";
      case "similarity": return best ? best.similarity : -1;
      case "confidence": return f.confidence;
      case "suggestion": return f.suggestion.trim().toLowerCase();
      default: return 0;
    }
  }

  /* ---- filtering ---- */

  function applyFilters() {
    var verdict = controls.verdict.value;
    var family = controls.family.value;
    var doc = controls.document.value;
    var terms = controls.text.value.toLowerCase().split(/\s+/).filter(Boolean);
    /* "status:changed" or "decision:Approve"; absent when no review was carried. */
    var review = controls.review ? controls.review.value : "";
    var reviewField = review ? review.slice(0, review.indexOf(":")) : "";
    var reviewValue = review ? review.slice(review.indexOf(":") + 1) : "";
    var shown = 0;
    bodies.forEach(function (body, i) {
      var families = (body.getAttribute("data-families") || "").split(" ");
      var visible = (!verdict || body.getAttribute("data-verdict") === verdict) &&
        (!family || families.indexOf(family) !== -1) &&
        (!doc || body.getAttribute("data-document") === doc) &&
        (!review || body.getAttribute(reviewField === "status" ? "data-review" : "data-decision") === reviewValue) &&
        terms.every(function (term) { return haystacks[i].indexOf(term) !== -1; });
      body.hidden = !visible;
      if (visible) { shown += 1; }
    });
    status.textContent = "Showing " + shown + " of " + bodies.length + " claims.";
  }

  function clearFilters() {
    controls.verdict.value = "";
    controls.family.value = "";
    controls.document.value = "";
    controls.text.value = "";
    if (controls.review) { controls.review.value = ""; }
    applyFilters();
  }

  ["verdict", "family", "document", "review"].forEach(function (name) {
    if (controls[name]) { controls[name].addEventListener("change", applyFilters); }
  });
  controls.text.addEventListener("input", applyFilters);
  document.getElementById("filter-reset").addEventListener("click", clearFilters);

  /* ---- sorting ---- */

  function sortBy(button) {
    var key = button.getAttribute("data-sort");
    var numeric = button.getAttribute("data-kind") === "number";
    var header = button.parentNode;
    var direction = header.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    table.querySelectorAll("thead th").forEach(function (th) { th.setAttribute("aria-sort", "none"); });
    header.setAttribute("aria-sort", direction);
    var sign = direction === "ascending" ? 1 : -1;
    var keyed = bodies.map(function (body) {
      return { body: body, key: sortKey(body, key), index: Number(body.getAttribute("data-index")) };
    });
    keyed.sort(function (a, b) {
      var order = numeric ? a.key - b.key : String(a.key).localeCompare(String(b.key));
      return order !== 0 ? sign * order : a.index - b.index;
    });
    keyed.forEach(function (item) { table.appendChild(item.body); });
  }

  table.querySelectorAll("button.sort").forEach(function (button) {
    button.addEventListener("click", function () { sortBy(button); });
  });

  /* ---- details ---- */

  function toggleDetails(body, open) {
    var button = body.querySelector("button.toggle-details");
    var detail = body.querySelector("tr.detail");
    var expand = typeof open === "boolean" ? open : detail.hidden;
    detail.hidden = !expand;
    button.setAttribute("aria-expanded", expand ? "true" : "false");
  }

  bodies.forEach(function (body) {
    body.querySelector("button.toggle-details").addEventListener("click", function () {
      toggleDetails(body);
    });
  });

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
    if (event.key === "ArrowDown") { next = rows[at + 1]; }
    else if (event.key === "ArrowUp") { next = rows[at - 1]; }
    else if (event.key === "Home") { next = rows[0]; }
    else if (event.key === "End") { next = rows[rows.length - 1]; }
    else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      toggleDetails(row.parentNode);
      return;
    } else { return; }
    event.preventDefault();
    if (next) { next.focus(); }
  });

  /* ---- jumps between the table and the copy ---- */

  function flash(element) {
    var target = element.tagName === "TR" ? element.parentNode : element;
    target.classList.add("flash");
    window.setTimeout(function () { target.classList.remove("flash"); }, 2000);
  }

  function goTo(id) {
    var target = id ? document.getElementById(id) : null;
    if (!target) { return; }
    var body = target.closest ? target.closest("tbody.finding") : null;
    if (body && body.hidden) { clearFilters(); }
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
