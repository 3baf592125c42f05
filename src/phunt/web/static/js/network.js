/* The network view: draws the JSON in #network-data with Cytoscape.js.
 *
 * Names and group titles are evidence, so attacker-controlled: they reach the page only
 * as Cytoscape labels (drawn on a canvas) and through textContent, never as HTML. The
 * CSP allows no inline style element, so the marker Cytoscape looks for before adding its
 * own one-rule stylesheet is put in place, and that rule is set on the container here.
 */
(function () {
  "use strict";

  var STYLESHEET_MARKER = "__________cytoscape_stylesheet";
  var LARGE = 300; // above this many nodes, a concentric layout instead of a force layout

  function elementsOf(graph) {
    var nodes = graph.nodes.map(function (n) {
      return {
        group: "nodes",
        data: { id: n.id, label: n.label, kind: n.kind, bad: n.known_bad ? 1 : 0,
                score: n.score || 0, href: n.href || "" },
      };
    });
    var edges = graph.edges.map(function (e) {
      return { group: "edges", data: { id: e.id, source: e.source, target: e.target, relation: e.relation } };
    });
    return nodes.concat(edges);
  }

  var STYLE = [
    { selector: "node", style: { label: "data(label)", "font-size": 9, "text-valign": "bottom",
        "text-margin-y": 3, "text-wrap": "ellipsis", "text-max-width": 120,
        "background-color": "#4a6b8a", width: 18, height: 18 } },
    { selector: "node[kind = 'group']", style: { shape: "round-rectangle", "background-color": "#7a8f3a", width: 26, height: 26 } },
    { selector: "node[kind = 'media']", style: { shape: "diamond", width: 14, height: 14 } },
    { selector: "node[bad = 1]", style: { "background-color": "#b3261e" } },
    { selector: "edge", style: { width: 1, "line-color": "#9aa7b4", "curve-style": "bezier", opacity: 0.7 } },
    { selector: "edge[relation = 'admin']", style: { width: 2.5, "line-color": "#30475e" } },
    { selector: "edge[relation = 'sent'], edge[relation = 'shared_in']", style: { "line-color": "#b3261e",
        "target-arrow-shape": "triangle", "target-arrow-color": "#b3261e" } },
  ];

  function draw() {
    var data = document.getElementById("network-data");
    var box = document.getElementById("network");
    var status = document.getElementById("network-status");
    if (!data || !box || typeof window.cytoscape !== "function") {
      return;
    }
    var graph = JSON.parse(data.textContent);
    if (!document.getElementById(STYLESHEET_MARKER)) {
      var marker = document.createElement("meta");
      marker.id = STYLESHEET_MARKER;
      document.head.appendChild(marker);
    }
    box.style.position = "relative";
    box.style.height = "70vh";
    box.style.border = "1px solid #c8d0d8";
    var large = graph.nodes.length > LARGE;
    var cy = window.cytoscape({
      container: box,
      elements: elementsOf(graph),
      style: STYLE,
      wheelSensitivity: 0.3,
      layout: large
        ? { name: "concentric", concentric: function (n) { return n.data("score") + (n.data("kind") === "group" ? 0 : 1); }, animate: false }
        : { name: "cose", animate: false, randomize: false, numIter: 600 },
    });
    cy.on("tap", "node", function (event) {
      var href = event.target.data("href");
      if (href && href.charAt(0) === "/" && href.charAt(1) !== "/") {
        window.location.assign(href);
      }
    });
    cy.ready(function () {
      box.dataset.drawn = String(cy.nodes().length);
      if (status) {
        status.textContent = cy.nodes().length + " nodes and " + cy.edges().length +
          " links drawn. Drag to move, scroll to zoom, click a person or group to open it.";
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
