// hishatak exhibition: language switch and search. Uses only textContent and hidden.
(function () {
  "use strict";
  var data = window.HISHATAK || { languages: [], items: [] };
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f\u055b-\u055f\u0589]/g, "")
      .replace(/\u0131/g, "i").replace(/\u0451/g, "\u0435").toLowerCase();
  }
  function params() {
    var out = {};
    (location.search || "").replace(/^\?/, "").split("&").forEach(function (kv) {
      if (!kv) return;
      var i = kv.indexOf("=");
      var k = decodeURIComponent(i < 0 ? kv : kv.slice(0, i));
      var v = i < 0 ? "" : decodeURIComponent(kv.slice(i + 1).replace(/\+/g, " "));
      out[k] = v;
    });
    return out;
  }
  function remember(lang) {
    try { localStorage.setItem("hishatak-lang", lang); } catch (e) { /* file:// may refuse */ }
  }
  function stored() {
    try { return localStorage.getItem("hishatak-lang"); } catch (e) { return null; }
  }
  function setLang(lang) {
    document.querySelectorAll(".l10n").forEach(function (group) {
      var spans = Array.prototype.filter.call(group.children, function (c) { return c.hasAttribute("lang"); });
      var hit = spans.filter(function (s) { return s.getAttribute("lang") === lang; })[0] || spans[0];
      spans.forEach(function (s) { s.hidden = s !== hit; });
    });
    document.querySelectorAll("nav.langs button").forEach(function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-lang") === lang ? "true" : "false");
    });
    document.documentElement.setAttribute("lang", lang);
  }
  var p = params();
  var lang = p.lang || stored() || data.languages[0] || "en";
  setLang(lang);
  document.querySelectorAll("nav.langs button").forEach(function (b) {
    b.addEventListener("click", function () {
      var l = b.getAttribute("data-lang");
      remember(l);
      setLang(l);
    });
  });
  var box = document.getElementById("q");
  if (!box) return;
  var byId = {};
  data.items.forEach(function (it) { byId[it.id] = it.text; });
  function filter() {
    var words = fold(box.value).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    var shown = 0;
    document.querySelectorAll("#cards .card").forEach(function (card) {
      var text = byId[card.getAttribute("data-id")] || "";
      var ok = words.every(function (w) { return text.indexOf(w) >= 0; });
      card.hidden = !ok;
      if (ok) shown += 1;
    });
    document.getElementById("count").textContent = shown + " items";
    document.getElementById("none").hidden = shown !== 0;
  }
  box.addEventListener("input", filter);
  box.form.addEventListener("submit", function (e) { e.preventDefault(); filter(); });
  if (p.q) { box.value = p.q; }
  filter();
})();
