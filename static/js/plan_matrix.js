/* The plan matrix (R12): shows each line's and the total requested amount while the employer types.
   Only a preview: the server computes every amount again when the plan is saved (the page works without it). */
(function () {
  "use strict";
  var table = document.getElementById("plan-matrix");
  if (!table) { return; }
  var euro = new Intl.NumberFormat("nl-NL", { style: "currency", currency: "EUR" });

  function number(text) {
    /* Dutch (1.234,56) or plain (1234.56) notation; anything unclear counts as nothing in the preview. */
    var t = (text || "").replace(/[\s€]/g, "");
    if (/^\d{1,3}(\.\d{3})+(,\d+)?$/.test(t)) { t = t.replace(/\./g, "").replace(",", "."); }
    else if (/^\d+([.,]\d{1,2})?$/.test(t)) { t = t.replace(",", "."); }
    else { return NaN; }
    return parseFloat(t);
  }

  function cents(value) { return Math.round(value * 100); }

  function update() {
    var total = 0;
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var fixed = row.dataset.method === "fixed";
      var rate = cents(parseFloat(row.dataset.amount));
      var rowTotal = 0;
      row.querySelectorAll(".cell").forEach(function (cell) {
        var countInput = cell.querySelector(".cell-count");
        var costInput = cell.querySelector(".cell-cost");
        var out = cell.querySelector(".cell-amount");
        var count = parseInt(countInput.value, 10);
        var amount = null;
        if (count > 0) {
          if (fixed) { amount = count * rate; }
          else {
            var cost = number(costInput && costInput.value);
            if (!isNaN(cost)) { amount = count * Math.min(cents(cost), rate); }
          }
        }
        out.textContent = amount === null ? "" : euro.format(amount / 100);
        rowTotal += amount || 0;
      });
      row.querySelector(".row-amount").textContent = euro.format(rowTotal / 100);
      total += rowTotal;
    });
    var totalOut = document.getElementById("plan-total");
    var cap = totalOut.dataset.cap ? cents(parseFloat(totalOut.dataset.cap)) : null;
    totalOut.textContent = euro.format((cap !== null ? Math.min(total, cap) : total) / 100);
  }

  table.addEventListener("input", update);
})();
