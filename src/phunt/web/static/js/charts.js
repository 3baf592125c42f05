// Draws the dashboard's charts with the vendored Chart.js.
//
// The page cannot run inline script (its Content-Security-Policy forbids it), so each
// chart's figures travel in a <script type="application/json" data-chart="CANVAS_ID">
// block: {"aspect": 3, "labels": [...], "datasets": [{"label": "...", "data": [...]}]}.
// The same figures are in the page's table; without JavaScript nothing is lost.
(function () {
  "use strict";

  var PALETTE = ["#1f5f8b", "#c9812b", "#2c6e2f", "#7a4f9a", "#a32020", "#4f7f8a"];

  function draw(block) {
    var canvas = document.getElementById(block.getAttribute("data-chart"));
    if (!canvas || typeof window.Chart === "undefined") {
      return;
    }
    var spec = JSON.parse(block.textContent);
    // On a phone the wide chart would be a strip too low to read: draw it squarer there.
    var narrow = window.matchMedia("(max-width: 40rem)").matches;
    var datasets = spec.datasets.map(function (set, i) {
      return {
        label: set.label,
        data: set.data,
        backgroundColor: PALETTE[i % PALETTE.length],
        borderWidth: 0
      };
    });
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        animation: false,
        aspectRatio: narrow ? 1 : spec.aspect || 3,
        plugins: { legend: { position: "bottom" } },
        scales: {
          x: { ticks: { autoSkip: false, maxRotation: narrow ? 90 : 60 } },
          y: { beginAtZero: true, ticks: { precision: 0 } }
        }
      }
    });
    canvas.setAttribute("data-drawn", "1");
  }

  function start() {
    var blocks = document.querySelectorAll('script[type="application/json"][data-chart]');
    Array.prototype.forEach.call(blocks, draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
