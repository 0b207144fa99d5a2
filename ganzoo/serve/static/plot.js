// Line plots on a canvas, for the loss curves: no library, nothing from the network.
// plotLines(canvas, {title, xlabel, series: [{label, color, dash, points: [[x, y], ...]}]})
"use strict";

const PLOT_COLORS = ["#2f6fde", "#d9534f", "#2a9d5c", "#e69a1d", "#8a4fd6", "#17a2b8", "#6c757d", "#c2185b"];

function niceTicks(lo, hi, count) {
  if (!(hi > lo)) { hi = lo + 1; lo = lo - 1; }
  const raw = (hi - lo) / count;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map(m => m * power).find(s => s >= raw);
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(+t.toPrecision(12));
  return ticks;
}

function plotLines(canvas, spec) {
  const width = canvas.clientWidth || 360, height = canvas.clientHeight || 220;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = width * ratio; canvas.height = height * ratio;
  const g = canvas.getContext("2d");
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);
  g.font = "12px system-ui, sans-serif";
  const points = spec.series.flatMap(s => s.points).filter(p => p[1] !== null && isFinite(p[1]));
  // The title, then the legend, in rows above the plot, as many as the labels need.
  const legend = [];
  let x = 52 + g.measureText(spec.title || "").width + 24, y = 15;
  for (const s of spec.series) {
    const room = g.measureText(s.label).width + 32;
    if (x + room > width - 8 && legend.length) { x = 52; y += 16; }
    legend.push([x, y]);
    x += room;
  }
  const box = {left: 52, right: width - 12, top: y + 9, bottom: height - 30};
  g.fillStyle = "#1d2330";
  g.fillText(spec.title || "", box.left, 15);
  if (!points.length) { g.fillStyle = "#6b7280"; g.fillText("no values yet", box.left, height / 2); return; }
  const xs = points.map(p => p[0]), ys = points.map(p => p[1]);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)], [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (x1 === x0) { x0 -= 1; x1 += 1; }
  if (y1 === y0) { y0 -= 1; y1 += 1; }
  const pad = (y1 - y0) * 0.05; y0 -= pad; y1 += pad;
  const X = x => box.left + (x - x0) / (x1 - x0) * (box.right - box.left);
  const Y = y => box.bottom - (y - y0) / (y1 - y0) * (box.bottom - box.top);
  g.strokeStyle = "#e3e6ec"; g.fillStyle = "#6b7280"; g.lineWidth = 1;
  for (const t of niceTicks(y0, y1, 4)) {
    g.beginPath(); g.moveTo(box.left, Y(t)); g.lineTo(box.right, Y(t)); g.stroke();
    g.fillText(String(t), 4, Y(t) + 4);
  }
  for (const t of niceTicks(x0, x1, 5)) g.fillText(String(t), X(t) - 4, box.bottom + 15);
  g.fillText(spec.xlabel || "", box.right - g.measureText(spec.xlabel || "").width, height - 2);
  g.strokeStyle = "#9aa1ad"; g.strokeRect(box.left, box.top, box.right - box.left, box.bottom - box.top);
  spec.series.forEach((s, i) => {
    g.strokeStyle = s.color || PLOT_COLORS[i % PLOT_COLORS.length];
    g.setLineDash(s.dash || []); g.lineWidth = 1.8;
    g.beginPath();
    let drawing = false;
    for (const [x, y] of s.points) {
      if (y === null || !isFinite(y)) { drawing = false; continue; }
      if (drawing) g.lineTo(X(x), Y(y)); else g.moveTo(X(x), Y(y));
      drawing = true;
    }
    if (s.points.length === 1) g.arc(X(s.points[0][0]), Y(s.points[0][1]), 2.5, 0, 2 * Math.PI);
    g.stroke();
    g.setLineDash([]);
    g.fillStyle = g.strokeStyle;
    const [lx, ly] = legend[i];
    g.fillRect(lx, ly - 6, 12, 3);
    g.fillStyle = "#1d2330";
    g.fillText(s.label, lx + 16, ly);
  });
}
