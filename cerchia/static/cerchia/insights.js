/* Insights dashboard: draws its line charts with Chart.js from the page's JSON.
 * Without this file (or without JavaScript) each chart's table stays open instead.
 * Withheld days (fewer than 5 members) are null and drawn as gaps, never as points. */
(function () {
  "use strict";

  var charts = [];

  function token(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function palette() {
    return {
      lines: [
        token("--c-accent", "#b0502a"),
        token("--c-olive", "#5b6830"),
        token("--c-avatar-5", "#3d5f8a"),
      ],
      ink: token("--c-ink-muted", "#65584d"),
      grid: token("--c-border", "#e4d9cb"),
      surface: token("--c-surface", "#fffdfa"),
    };
  }

  function reducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function readData(root) {
    var source = root.querySelector("#insights-chart-data") || document.getElementById("insights-chart-data");
    if (!source) {
      return null;
    }
    try {
      return JSON.parse(source.textContent);
    } catch (error) {
      return null;
    }
  }

  function destroyAll() {
    charts.forEach(function (chart) {
      chart.destroy();
    });
    charts = [];
  }

  function dayLabel(iso) {
    var parts = iso.split("-");
    var day = new Date(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2]));
    return day.toLocaleDateString(document.documentElement.lang || undefined, {
      day: "numeric",
      month: "short",
    });
  }

  function draw(root) {
    if (typeof window.Chart === "undefined") {
      return;
    }
    var data = readData(root);
    if (!data) {
      return;
    }
    destroyAll();
    var colours = palette();
    var labels = data.labels.map(dayLabel);
    data.charts.forEach(function (spec) {
      var holder = document.querySelector('[data-insights-chart="' + spec.key + '"]');
      if (!holder) {
        return;
      }
      var canvas = holder.querySelector("canvas");
      holder.hidden = false;
      var details = holder.parentNode.querySelector("[data-insights-chart-table]");
      if (details) {
        details.open = false;
      }
      var chart = new window.Chart(canvas, {
        type: "line",
        data: {
          labels: labels,
          datasets: spec.datasets.map(function (set, index) {
            var colour = colours.lines[index % colours.lines.length];
            return {
              label: set.label,
              data: set.data,
              borderColor: colour,
              backgroundColor: colour,
              borderWidth: 2,
              pointRadius: set.data.length > 45 ? 0 : 2,
              pointHoverRadius: 4,
              spanGaps: false,
              tension: 0.2,
              borderDash: index === 1 ? [6, 3] : index === 2 ? [2, 2] : [],
            };
          }),
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: reducedMotion() ? false : { duration: 300 },
          interaction: { mode: "index", intersect: false },
          scales: {
            x: { ticks: { color: colours.ink, maxRotation: 0, autoSkip: true }, grid: { color: colours.grid } },
            y: { beginAtZero: true, ticks: { color: colours.ink, precision: 0 }, grid: { color: colours.grid } },
          },
          plugins: {
            legend: { labels: { color: colours.ink, usePointStyle: true } },
            tooltip: {
              callbacks: {
                label: function (context) {
                  var value = context.raw === null ? data.withheld : context.formattedValue;
                  return context.dataset.label + ": " + value;
                },
              },
            },
          },
        },
      });
      charts.push(chart);
    });
  }

  function start() {
    draw(document);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  /* A new period swapped in by htmx brings new data. */
  document.addEventListener("htmx:load", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.id === "insights-dashboard") {
      draw(document);
    }
  });

  /* Follow the light or dark theme. */
  if (window.matchMedia) {
    var scheme = window.matchMedia("(prefers-color-scheme: dark)");
    if (scheme.addEventListener) {
      scheme.addEventListener("change", start);
    }
  }
})();
