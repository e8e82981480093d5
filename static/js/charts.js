// Charts drawn with Chart.js (npm, served by staticfiles as vendor/chartjs/chart.umd.min.js; load it first).
// The data travel in data-* attributes as JSON (the Content-Security-Policy allows no inline script), and
// every chart has a table with the same numbers next to it; the words come from the server, translated.
//
//   <canvas data-trend='{…}'>  a measure over time (integration/charts.py `Trend.data`): the totals by date,
//                              the dosing sessions marked, the severity bands or the clinic's cutoff shaded,
//                              response and remission marked on the points.
//   <canvas data-chart='{…}'>  a plain bar or line chart: {"type": "bar"|"line", "labels": [...],
//                              "datasets": [{"label": "...", "data": [...]}], "x_title", "y_title",
//                              "stacked", "horizontal"}.
//
// Put each canvas in a sized box (<div class="kap-chart">, static/css/app.css). Animation is off for those
// who ask for reduced motion. `KapCharts.drawAll(root)` draws what a later swap (htmx) added.
(function () {
  "use strict";

  if (typeof window.Chart === "undefined") return; // Chart.js didn't load: the tables still say everything
  if (window.KapCharts) {
    window.KapCharts.drawAll(document);
    return;
  }

  const Chart = window.Chart;
  const reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const rootStyle = getComputedStyle(document.documentElement);

  function cssColour(name, fallback) {
    return rootStyle.getPropertyValue(name).trim() || fallback;
  }

  const COLOURS = {
    line: "#2f5d62", // the clinic's teal (navbar)
    dose: "#6f42c1",
    response: "#c25e00",
    remission: "#146c43",
    cutoff: cssColour("--bs-danger", "#dc3545"),
    text: cssColour("--bs-body-color", "#212529"),
    muted: cssColour("--bs-secondary-color", "rgba(33, 37, 41, 0.75)"),
    grid: "rgba(0, 0, 0, 0.08)",
  };
  const PALETTE = ["#2f5d62", "#c25e00", "#6f42c1", "#146c43", "#0d6efd", "#b02a37", "#6c757d"];
  const LEVEL_RGB = {
    success: [25, 135, 84],
    info: [13, 110, 253],
    warning: [255, 193, 7],
    danger: [220, 53, 69],
    secondary: [108, 117, 125],
  };

  function rgba(level, alpha) {
    const c = LEVEL_RGB[level] || LEVEL_RGB.secondary;
    return "rgba(" + c[0] + ", " + c[1] + ", " + c[2] + ", " + alpha + ")";
  }

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = COLOURS.text;
  if (reducedMotion) Chart.defaults.animation = false;

  // Dates are the clinic's calendar days ("2026-07-16"): kept as UTC midnights, shown without a time zone shift.
  const DAY = 24 * 60 * 60 * 1000;
  const dayFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  });

  function dayValue(iso) {
    const parts = iso.split("-").map(Number);
    return Date.UTC(parts[0], parts[1] - 1, parts[2]);
  }

  function formatDay(value) {
    return dayFormat.format(new Date(value));
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_match, name) => String(values[name]));
  }

  // Behind the points: the bands (or the cutoff) shaded, the response line, a dashed line at each dose.
  // A band covers its totals ± half a point, so that a total sits inside its band, not on its edge.
  const trendBackground = {
    id: "kapTrendBackground",
    beforeDatasetsDraw(chart, _args, options) {
      const { ctx, chartArea: area, scales } = chart;
      const x = scales.x;
      const y = scales.y;
      const width = area.right - area.left;
      const top = (value) => y.getPixelForValue(Math.min(Math.max(value, y.min), y.max));
      ctx.save();
      ctx.font = "11px " + Chart.defaults.font.family;
      ctx.textAlign = "right";
      ctx.textBaseline = "top";
      (options.bands || []).forEach((band, index) => {
        const upper = top(band.high + 0.5);
        const lower = top(band.low - 0.5);
        ctx.fillStyle = rgba(band.level, 0.06 + 0.03 * index);
        ctx.fillRect(area.left, upper, width, lower - upper);
        if (lower - upper > 14) {
          ctx.fillStyle = COLOURS.muted;
          ctx.fillText(band.label, area.right - 4, upper + 2);
        }
      });
      if (options.cutoff !== null && options.cutoff !== undefined) {
        const line = top(options.cutoff - 0.5);
        ctx.fillStyle = rgba("danger", 0.08);
        ctx.fillRect(area.left, area.top, width, line - area.top);
        hline(ctx, area, line, COLOURS.cutoff, [6, 4]);
        ctx.fillStyle = COLOURS.cutoff;
        ctx.textBaseline = "bottom";
        ctx.fillText(options.cutoffLabel, area.right - 4, line - 2);
      }
      if (options.responseAt !== null && options.responseAt !== undefined) {
        const line = top(options.responseAt + 0.5);
        hline(ctx, area, line, COLOURS.response, [2, 3]);
        ctx.fillStyle = COLOURS.response;
        ctx.textAlign = "left";
        ctx.textBaseline = "top";
        ctx.fillText(options.responseLabel, area.left + 4, line + 2);
      }
      ctx.strokeStyle = COLOURS.dose;
      ctx.globalAlpha = 0.35;
      ctx.setLineDash([4, 4]);
      ctx.lineWidth = 1;
      (options.doses || []).forEach((value) => {
        const at = x.getPixelForValue(value);
        ctx.beginPath();
        ctx.moveTo(at, area.top);
        ctx.lineTo(at, area.bottom);
        ctx.stroke();
      });
      ctx.restore();
    },
  };

  function hline(ctx, area, at, colour, dash) {
    ctx.save();
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1.5;
    ctx.setLineDash(dash);
    ctx.beginPath();
    ctx.moveTo(area.left, at);
    ctx.lineTo(area.right, at);
    ctx.stroke();
    ctx.restore();
  }

  function drawTrend(canvas) {
    const trend = JSON.parse(canvas.dataset.trend);
    const text = trend.text;
    const measures = trend.points.map((point) => ({ x: dayValue(point.date), y: point.total, point: point }));
    const doses = trend.doses.map((dose) => ({ x: dayValue(dose.date), y: 0, dose: dose }));
    const xs = measures.concat(doses).map((item) => item.x);
    // Ticks on the measures' days, and on the first and last dose's.
    const doseEnds = doses.length ? [doses[0].x, doses[doses.length - 1].x] : [];
    const tickDays = Array.from(new Set(measures.map((item) => item.x).concat(doseEnds))).sort((a, b) => a - b);
    const marker = (keep) => measures.filter((item) => keep(item.point));

    return new Chart(canvas, {
      type: "line",
      data: {
        datasets: [
          {
            label: text.total,
            data: measures,
            borderColor: COLOURS.line,
            backgroundColor: COLOURS.line,
            pointRadius: 4,
            pointHoverRadius: 6,
            pointHitRadius: 10,
            borderWidth: 2,
            tension: 0,
            order: 2,
          },
          {
            type: "scatter",
            label: text.response,
            data: marker((point) => point.response && !point.remission),
            pointStyle: "rectRot",
            pointRadius: 8,
            pointHoverRadius: 9,
            backgroundColor: COLOURS.response,
            borderColor: "#fff",
            borderWidth: 1.5,
            order: 1,
          },
          {
            type: "scatter",
            label: text.remission,
            data: marker((point) => point.remission),
            pointStyle: "star",
            pointRadius: 11,
            pointHoverRadius: 12,
            backgroundColor: COLOURS.remission,
            borderColor: COLOURS.remission,
            borderWidth: 3,
            order: 1,
          },
          {
            type: "scatter",
            label: text.dose,
            data: doses,
            pointStyle: "triangle",
            pointRadius: 7,
            pointHoverRadius: 8,
            backgroundColor: COLOURS.dose,
            borderColor: COLOURS.dose,
            clip: false,
            order: 3,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reducedMotion ? false : { duration: 400 },
        interaction: { mode: "nearest", intersect: true },
        layout: { padding: { top: 4, bottom: 4 } },
        scales: {
          x: {
            type: "linear",
            min: Math.min.apply(null, xs) - 4 * DAY,
            max: Math.max.apply(null, xs) + 4 * DAY,
            title: { display: true, text: text.date },
            grid: { display: false },
            afterBuildTicks(axis) {
              axis.ticks = tickDays.map((value) => ({ value: value }));
            },
            ticks: { callback: (value) => formatDay(value), maxRotation: 0, autoSkipPadding: 12 },
          },
          y: {
            min: 0,
            max: trend.max,
            title: { display: true, text: text.axis },
            grid: { color: COLOURS.grid },
            ticks: { precision: 0 },
          },
        },
        plugins: {
          kapTrendBackground: {
            bands: trend.bands,
            cutoff: trend.cutoff,
            cutoffLabel: text.cutoff,
            responseAt: trend.response_at_or_below,
            responseLabel: text.response_line,
            doses: doses.map((item) => item.x),
          },
          legend: {
            position: "bottom",
            labels: {
              usePointStyle: true,
              sort: (a, b) => a.datasetIndex - b.datasetIndex,
              filter: (item, data) => data.datasets[item.datasetIndex].data.length > 0,
            },
          },
          tooltip: {
            filter: (item) => item.datasetIndex === 0 || item.datasetIndex === 3,
            callbacks: {
              title: (items) => (items.length ? formatDay(items[0].parsed.x) : ""),
              label: (item) => {
                if (item.raw.dose) return fill(text.dose_n, { number: item.raw.dose.number });
                const point = item.raw.point;
                const band = point.band ? " (" + point.band + ")" : "";
                return text.total + ": " + point.total + band;
              },
              afterLabel: (item) => (item.raw.point ? item.raw.point.status : ""),
            },
          },
        },
      },
      plugins: [trendBackground],
    });
  }

  function drawPlain(canvas) {
    const spec = JSON.parse(canvas.dataset.chart);
    const horizontal = Boolean(spec.horizontal);
    const datasets = spec.datasets.map((dataset, index) => {
      const colour = dataset.colour || PALETTE[index % PALETTE.length];
      return {
        label: dataset.label,
        data: dataset.data,
        backgroundColor: spec.type === "line" ? colour : colour + "cc",
        borderColor: colour,
        borderWidth: spec.type === "line" ? 2 : 1,
        tension: 0,
      };
    });
    const axis = (title, isValue) => ({
      stacked: Boolean(spec.stacked),
      beginAtZero: isValue,
      title: { display: Boolean(title), text: title || "" },
      ticks: isValue ? { precision: 0 } : {},
      grid: { color: COLOURS.grid, display: isValue },
    });
    return new Chart(canvas, {
      type: spec.type === "line" ? "line" : "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reducedMotion ? false : { duration: 400 },
        indexAxis: horizontal ? "y" : "x",
        scales: {
          x: axis(spec.x_title, horizontal),
          y: axis(spec.y_title, !horizontal),
        },
        plugins: { legend: { display: datasets.length > 1, position: "bottom" } },
      },
    });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-trend], canvas[data-chart]").forEach((canvas) => {
      if (Chart.getChart(canvas)) return;
      try {
        if (canvas.dataset.trend) drawTrend(canvas);
        else drawPlain(canvas);
      } catch (error) {
        // A chart that can't be drawn leaves its table; say why in the console for whoever looks.
        console.warn("KAP chart not drawn:", error);
      }
    });
  }

  window.KapCharts = { drawAll: drawAll, drawTrend: drawTrend, drawPlain: drawPlain };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => drawAll(document));
  else drawAll(document);
  document.addEventListener("htmx:afterSwap", (event) => drawAll(event.target));
})();
