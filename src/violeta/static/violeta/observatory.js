// The observatory's charts, drawn from the tables beside them (no data of their own).
// A hidden figure (—) is a gap in the chart, never a zero. No inline script: CSP.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") return;
  var palette = ["#6b2c91", "#c2185b", "#00796b", "#f57c00", "#1565c0", "#5d4037",
                 "#7cb342", "#8e24aa", "#455a64", "#d81b60", "#00897b", "#fbc02d",
                 "#3949ab", "#6d4c41", "#43a047", "#e53935", "#546e7a"];
  function number(text) {
    var value = text.trim();
    return /^\d+$/.test(value) ? parseInt(value, 10) : null;
  }
  document.querySelectorAll("table[data-chart]").forEach(function (table) {
    var columns = Array.prototype.map.call(
      table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); }
    ).slice(1);
    var rows = Array.prototype.filter.call(table.querySelectorAll("tbody tr"), function (tr) {
      return tr.querySelector("th") && tr.dataset.total !== "1";
    });
    if (!rows.length || !columns.length) return;
    var labels = rows.map(function (tr) { return tr.querySelector("th").textContent.trim(); });
    var datasets = columns.map(function (column, i) {
      return {
        label: column,
        data: rows.map(function (tr) { return number(tr.querySelectorAll("td")[i].textContent); }),
        backgroundColor: palette[i % palette.length],
        borderColor: palette[i % palette.length],
        spanGaps: false
      };
    });
    var figure = document.createElement("figure");
    figure.className = "chart";
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", table.dataset.chart);
    figure.appendChild(canvas);
    table.closest(".scroll").before(figure);
    new window.Chart(canvas, {
      type: table.dataset.kind === "bar" ? "bar" : "line",
      data: { labels: labels, datasets: datasets },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
                 plugins: { legend: { position: "bottom" } } }
    });
  });
})();
