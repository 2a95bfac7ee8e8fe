// Small, dependency-free SVG charts for the Markdown report: line charts (throughput, lag and
// memory over time, latency distributions) and grouped bar charts (peak memory per service).
const COLORS = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#7f7f7f',
  '#bcbd22',
];
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

const esc = (s) =>
  String(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

/** About `count` round tick values covering [min, max]. */
export function niceTicks(min, max, count = 5) {
  if (!(max > min)) max = min + 1;
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks = [];
  // The last tick is the first at or above max, so the axis covers every value.
  for (let v = Math.floor(min / step) * step; ; v += step) {
    ticks.push(Number(v.toPrecision(12)));
    if (v >= max - step * 1e-9) break;
  }
  return ticks;
}

export function formatNumber(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return `${Number(v.toPrecision(4))}`;
}

function frame({ width, height, title, legend }) {
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`,
  ];
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${esc(title)}</text>`,
  );
  let x = 70;
  let y = 42;
  legend.forEach(({ name, color, dashed }) => {
    const w = 34 + name.length * 7;
    if (x + w > width - 10) {
      x = 70;
      y += 16;
    }
    parts.push(
      `<line x1="${x}" y1="${y - 4}" x2="${x + 18}" y2="${y - 4}" stroke="${color}" stroke-width="3"${dashed ? ' stroke-dasharray="5,3"' : ''}/>`,
    );
    parts.push(`<text x="${x + 23}" y="${y}">${esc(name)}</text>`);
    x += w;
  });
  return { parts, top: y + 14 };
}

/**
 * A line chart. series: [{ name, points: [[x, y], ...], dashed? }]; hLines: [{ y, label }] drawn
 * dashed across the plot; xTicks: [{ value, label }] to replace the numeric x ticks.
 */
export function lineChart({
  title,
  xLabel,
  yLabel,
  series,
  hLines = [],
  xTicks,
  width = 760,
  height = 380,
  yMin = 0,
  xMin: xFrom,
}) {
  const legend = [
    ...series.map((s, i) => ({
      name: s.name,
      color: s.color ?? COLORS[i % COLORS.length],
      dashed: s.dashed,
    })),
    ...hLines.map((h, i) => ({
      name: h.label,
      color: h.color ?? COLORS[(series.length + i) % COLORS.length],
      dashed: true,
    })),
  ];
  const { parts, top } = frame({ width, height, title, legend });
  const left = 70;
  const right = width - 20;
  const bottom = height - 48;
  const xs = series
    .flatMap((s) => s.points.map((p) => p[0]))
    .concat((xTicks ?? []).map((t) => t.value));
  const ys = series
    .flatMap((s) => s.points.map((p) => p[1]))
    .filter((v) => Number.isFinite(v))
    .concat(hLines.map((h) => h.y));
  const xMin = xFrom ?? (xs.length ? Math.min(...xs) : 0);
  const xMax = xs.length ? Math.max(...xs) : 1;
  const yTicks = niceTicks(yMin, Math.max(yMin + 1e-9, ...ys) * 1.05);
  const yMax = yTicks[yTicks.length - 1];
  const sx = (x) => left + ((x - xMin) / (xMax - xMin || 1)) * (right - left);
  const sy = (y) => bottom - ((y - yMin) / (yMax - yMin || 1)) * (bottom - top);

  for (const t of yTicks) {
    parts.push(`<line x1="${left}" y1="${sy(t)}" x2="${right}" y2="${sy(t)}" stroke="#e5e5e5"/>`);
    parts.push(
      `<text x="${left - 6}" y="${sy(t) + 4}" text-anchor="end">${formatNumber(t)}</text>`,
    );
  }
  const ticks =
    xTicks ??
    niceTicks(xMin, xMax, 8)
      .filter((v) => v >= xMin && v <= xMax)
      .map((v) => ({ value: v, label: formatNumber(v) }));
  for (const t of ticks) {
    parts.push(
      `<line x1="${sx(t.value)}" y1="${bottom}" x2="${sx(t.value)}" y2="${bottom + 4}" stroke="#333"/>`,
    );
    parts.push(
      `<text x="${sx(t.value)}" y="${bottom + 17}" text-anchor="middle">${esc(t.label)}</text>`,
    );
  }
  parts.push(`<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#333"/>`);
  parts.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#333"/>`);
  parts.push(
    `<text x="${(left + right) / 2}" y="${height - 12}" text-anchor="middle">${esc(xLabel)}</text>`,
  );
  parts.push(
    `<text transform="translate(16 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`,
  );

  hLines.forEach((h, i) => {
    const color = legend[series.length + i].color;
    parts.push(
      `<line x1="${left}" y1="${sy(h.y)}" x2="${right}" y2="${sy(h.y)}" stroke="${color}" stroke-width="1.5" stroke-dasharray="6,4"/>`,
    );
  });
  series.forEach((s, i) => {
    const color = legend[i].color;
    // A missing value breaks the line rather than drawing a false segment.
    let run = [];
    const flush = () => {
      if (run.length > 1)
        parts.push(
          `<polyline fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5,3"' : ''} points="${run.join(' ')}"/>`,
        );
      if (run.length === 1)
        parts.push(
          `<circle cx="${run[0].split(',')[0]}" cy="${run[0].split(',')[1]}" r="2.5" fill="${color}"/>`,
        );
      run = [];
    };
    for (const [x, y] of s.points) {
      if (Number.isFinite(y)) run.push(`${sx(x).toFixed(1)},${sy(y).toFixed(1)}`);
      else flush();
    }
    flush();
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** A grouped bar chart: groups along x, one bar per series in each group. */
export function barChart({ title, yLabel, groups, series, width = 760, height = 380 }) {
  const legend = series.map((s, i) => ({
    name: s.name,
    color: s.color ?? COLORS[i % COLORS.length],
  }));
  const { parts, top } = frame({ width, height, title, legend });
  const left = 70;
  const right = width - 20;
  const bottom = height - 56;
  const values = series.flatMap((s) => s.values).filter((v) => Number.isFinite(v));
  const yTicks = niceTicks(0, Math.max(1e-9, ...values) * 1.1);
  const yMax = yTicks[yTicks.length - 1];
  const sy = (y) => bottom - (y / yMax) * (bottom - top);
  for (const t of yTicks) {
    parts.push(`<line x1="${left}" y1="${sy(t)}" x2="${right}" y2="${sy(t)}" stroke="#e5e5e5"/>`);
    parts.push(
      `<text x="${left - 6}" y="${sy(t) + 4}" text-anchor="end">${formatNumber(t)}</text>`,
    );
  }
  const groupWidth = (right - left) / Math.max(1, groups.length);
  const barWidth = (groupWidth * 0.75) / Math.max(1, series.length);
  groups.forEach((group, g) => {
    const x0 = left + g * groupWidth + groupWidth * 0.125;
    series.forEach((s, i) => {
      const v = s.values[g];
      if (!Number.isFinite(v)) return;
      const x = x0 + i * barWidth;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${sy(v).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(bottom - sy(v)).toFixed(1)}" fill="${legend[i].color}"/>`,
      );
      parts.push(
        `<text x="${(x + barWidth / 2 - 1).toFixed(1)}" y="${(sy(v) - 3).toFixed(1)}" text-anchor="middle" font-size="10">${formatNumber(Math.round(v))}</text>`,
      );
    });
    // Long names (delivery-whatsapp) break at their first dash so neighbours do not overlap.
    const cx = (left + g * groupWidth + groupWidth / 2).toFixed(1);
    const dash = group.indexOf('-');
    const label =
      group.length > 12 && dash > 0
        ? `<tspan x="${cx}" dy="0">${esc(group.slice(0, dash + 1))}</tspan><tspan x="${cx}" dy="14">${esc(group.slice(dash + 1))}</tspan>`
        : esc(group);
    parts.push(`<text x="${cx}" y="${bottom + 17}" text-anchor="middle">${label}</text>`);
  });
  parts.push(`<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#333"/>`);
  parts.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#333"/>`);
  parts.push(
    `<text transform="translate(16 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`,
  );
  parts.push('</svg>');
  return parts.join('\n');
}
