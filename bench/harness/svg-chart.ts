// Minimal SVG charts drawn by hand for the report (no chart library): a line chart with several
// series and a grouped horizontal bar chart. Output is self-contained markup, escaped.

export interface Series {
  label: string;
  points: Array<{ x: number; y: number }>;
  /** Dashed line (e.g. a baseline or a budget). */
  dashed?: boolean;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Horizontal reference line (e.g. the e2e budget). */
  yReference?: { value: number; label: string };
  /** Values above this are drawn at the top edge, marked "▲" (unsustainable, infinite p99). */
  yMax?: number;
  width?: number;
  height?: number;
}

export interface BarGroup {
  label: string;
  values: Array<{ label: string; value: number }>;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf'];
const MARGIN = { left: 64, right: 16, top: 28, bottom: 44 };

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** 1, 2, 5 × 10^k steps giving about `count` ticks over [0, max]. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let v = 0; v <= max * 1.0001 + step; v += step) {
    ticks.push(Number(v.toPrecision(12)));
    if (v >= max) break;
  }
  return ticks;
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toFixed(abs >= 1e7 ? 0 : 1)}M`;
  if (abs >= 1e3) return `${(value / 1e3).toFixed(abs >= 1e4 ? 0 : 1)}k`;
  if (abs >= 10 || abs === 0) return value.toFixed(0);
  return value.toPrecision(2);
}

export function lineChart(options: LineChartOptions): string {
  const width = options.width ?? 560;
  const height = options.height ?? 300;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const finite = options.series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const cap = options.yMax ?? Infinity;
  const xMax = Math.max(1e-9, ...finite.map((p) => p.x));
  const yTop = Math.max(1e-9, ...finite.map((p) => Math.min(p.y, cap)), options.yReference?.value ?? 0);
  const xTicks = niceTicks(xMax);
  const yTicks = niceTicks(yTop);
  const xScale = xTicks[xTicks.length - 1] as number;
  const yScale = yTicks[yTicks.length - 1] as number;
  const px = (x: number) => MARGIN.left + (x / xScale) * plotW;
  const py = (y: number) => MARGIN.top + plotH - (Math.min(y, yScale) / yScale) * plotH;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(options.title)}">`,
  );
  parts.push(
    `<text x="${width / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(options.title)}</text>`,
  );
  for (const tick of yTicks) {
    const y = py(tick);
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
    parts.push(
      `<text x="${MARGIN.left - 6}" y="${y + 4}" text-anchor="end" font-size="11">${formatNumber(tick)}</text>`,
    );
  }
  for (const tick of xTicks) {
    const x = px(tick);
    parts.push(`<line x1="${x}" x2="${x}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH + 4}" stroke="#333"/>`);
    parts.push(
      `<text x="${x}" y="${MARGIN.top + plotH + 16}" text-anchor="middle" font-size="11">${formatNumber(tick)}</text>`,
    );
  }
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
  );
  parts.push(
    `<text x="${MARGIN.left + plotW / 2}" y="${height - 6}" text-anchor="middle" font-size="11">${escapeXml(options.xLabel)}</text>`,
  );
  parts.push(
    `<text transform="translate(14 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="11">${escapeXml(options.yLabel)}</text>`,
  );
  if (options.yReference) {
    const y = py(options.yReference.value);
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y}" y2="${y}" stroke="#888" stroke-dasharray="2 3"/>`,
    );
    parts.push(
      `<text x="${MARGIN.left + plotW - 4}" y="${y - 4}" text-anchor="end" font-size="10" fill="#555">${escapeXml(options.yReference.label)}</text>`,
    );
  }
  options.series.forEach((series, index) => {
    const color = PALETTE[index % PALETTE.length] as string;
    const points = series.points.filter((p) => Number.isFinite(p.x)).sort((a, b) => a.x - b.x);
    const coords = points.map((p) => `${px(p.x).toFixed(1)},${py(Number.isFinite(p.y) ? p.y : yScale).toFixed(1)}`);
    if (coords.length > 1) {
      parts.push(
        `<polyline fill="none" stroke="${color}" stroke-width="1.6"${series.dashed ? ' stroke-dasharray="5 3"' : ''} points="${coords.join(' ')}"/>`,
      );
    }
    for (const p of points) {
      const over = !Number.isFinite(p.y) || p.y > yScale;
      const x = px(p.x).toFixed(1);
      const y = py(Number.isFinite(p.y) ? p.y : yScale).toFixed(1);
      parts.push(
        over
          ? `<text x="${x}" y="${Number(y) + 4}" text-anchor="middle" font-size="10" fill="${color}">▲</text>`
          : `<circle cx="${x}" cy="${y}" r="2.4" fill="${color}"/>`,
      );
    }
    const ly = MARGIN.top + 12 + index * 14;
    parts.push(`<rect x="${MARGIN.left + 8}" y="${ly - 8}" width="10" height="3" fill="${color}"/>`);
    parts.push(`<text x="${MARGIN.left + 22}" y="${ly - 3}" font-size="10">${escapeXml(series.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** Horizontal bars, one group per label (e.g. a pipeline stage), one bar per value (p50, p99). */
export function barChart(options: { title: string; unit: string; groups: BarGroup[]; width?: number }): string {
  const width = options.width ?? 560;
  const barH = 10;
  const seriesCount = Math.max(1, ...options.groups.map((g) => g.values.length));
  const groupH = seriesCount * barH + 10;
  const left = 70;
  const plotW = width - left - 70;
  const height = 40 + options.groups.length * groupH + 20;
  const max = Math.max(
    1e-9,
    ...options.groups.flatMap((g) => g.values.map((v) => (Number.isFinite(v.value) ? v.value : 0))),
  );
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(options.title)}">`,
  );
  parts.push(
    `<text x="${width / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(options.title)}</text>`,
  );
  options.groups.forEach((group, g) => {
    const top = 30 + g * groupH;
    parts.push(
      `<text x="${left - 6}" y="${top + (seriesCount * barH) / 2 + 4}" text-anchor="end" font-size="11">${escapeXml(group.label)}</text>`,
    );
    group.values.forEach((value, i) => {
      const color = PALETTE[i % PALETTE.length] as string;
      const w = Number.isFinite(value.value) ? (value.value / max) * plotW : 0;
      const y = top + i * barH;
      parts.push(`<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH - 2}" fill="${color}"/>`);
      parts.push(
        `<text x="${left + w + 4}" y="${y + barH - 3}" font-size="9">${escapeXml(`${value.label} ${formatNumber(value.value)} ${options.unit}`)}</text>`,
      );
    });
  });
  parts.push('</svg>');
  return parts.join('');
}
