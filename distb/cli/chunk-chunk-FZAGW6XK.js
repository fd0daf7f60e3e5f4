import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/data/svg-histogram.ts
function escapeHtml(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}
function formatNumber(value) {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && (Math.abs(value) >= 1e6 || Math.abs(value) < 1e-3)) return value.toExponential(3);
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(5)));
}
function histogramSvg(bins, options = {}) {
  const width = options.width ?? 240;
  const height = options.height ?? 80;
  const axis = 14;
  const plotH = height - axis;
  if (bins.length === 0)
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img"><text x="4" y="${height / 2}" font-size="11" fill="#888">no values</text></svg>`;
  const max = Math.max(1, ...bins.map((b) => b.count));
  const barW = width / bins.length;
  const bars = bins.map((b, i) => {
    const h = b.count === 0 ? 0 : Math.max(1, b.count / max * (plotH - 2));
    const x = (i * barW).toFixed(2);
    const y = (plotH - h).toFixed(2);
    const label = `[${formatNumber(b.lo)}, ${formatNumber(b.hi)}${i === bins.length - 1 ? "]" : ")"}: ${b.count}`;
    return `<rect x="${x}" y="${y}" width="${Math.max(0.5, barW - 1).toFixed(2)}" height="${h.toFixed(2)}" fill="#4c78a8"><title>${escapeHtml(label)}</title></rect>`;
  }).join("");
  const lo = escapeHtml(formatNumber(bins[0].lo));
  const hi = escapeHtml(formatNumber(bins[bins.length - 1].hi));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">${bars}<line x1="0" y1="${plotH}" x2="${width}" y2="${plotH}" stroke="#999" stroke-width="1"/><text x="0" y="${height - 2}" font-size="10" fill="#555">${lo}</text><text x="${width}" y="${height - 2}" font-size="10" fill="#555" text-anchor="end">${hi}</text></svg>`;
}
function topValuesSvg(values, options = {}) {
  const width = options.width ?? 240;
  const rowH = 14;
  const height = Math.max(rowH, values.length * rowH);
  const labelW = Math.round(width * 0.45);
  const max = Math.max(1, ...values.map((v) => v.count));
  const rows = values.map((v, i) => {
    const y = i * rowH;
    const w = Math.max(1, v.count / max * (width - labelW - 36));
    const label = v.value.length > 18 ? `${v.value.slice(0, 17)}\u2026` : v.value;
    return `<text x="${labelW - 4}" y="${y + 10}" font-size="10" text-anchor="end" fill="#333">${escapeHtml(label)}<title>${escapeHtml(v.value)}</title></text><rect x="${labelW}" y="${y + 2}" width="${w.toFixed(2)}" height="${rowH - 4}" fill="#f58518"/><text x="${(labelW + w + 3).toFixed(2)}" y="${y + 10}" font-size="10" fill="#555">${v.count}</text>`;
  }).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">${rows}</svg>`;
}

export {
  escapeHtml,
  formatNumber,
  histogramSvg,
  topValuesSvg
};
