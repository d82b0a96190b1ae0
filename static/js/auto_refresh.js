// Long work (imports, letters) shows its progress: a page with data-refresh-seconds on <body> reloads itself
// while the work runs. Not a <meta http-equiv="refresh"> (WCAG 2.2.1: timing the user cannot adjust): the reload
// waits while the user is typing or has focus in a form field, and a "Vernieuwen" link does the same without
// JavaScript. Loaded with defer; no inline script (the Content-Security-Policy forbids it).
(function () {
  var seconds = parseInt(document.body.getAttribute("data-refresh-seconds") || "0", 10);
  if (!seconds) return;
  function busy() {
    var el = document.activeElement;
    if (el && /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) return true;
    var fields = document.querySelectorAll("textarea, input[type=text]");
    for (var i = 0; i < fields.length; i++) { if (fields[i].value) return true; }
    return false;
  }
  setInterval(function () { if (!busy()) window.location.reload(); }, seconds * 1000);
})();
