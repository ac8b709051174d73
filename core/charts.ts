/**
 * Dependency-free SVG charts for reports: learning curves (`lineChartSVG`), retention tables
 * (`barChartSVG`, grouped bars with error bars) and weight matrices (`heatmapSVG`).
 *
 * Output is a standalone `<svg>` string, deterministic for the same input (no clocks, no
 * random ids; coordinates rounded to 0.01), with all text escaped. Non-finite values are
 * skipped (lines break at them; heatmap cells turn grey).
 */

export interface Band {
  lo: ArrayLike<number>;
  hi: ArrayLike<number>;
}

export interface LineSeries {
  name: string;
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  /** Shaded region, e.g. mean ± sd or min..max over seeds. */
  band?: Band;
  /** CSS colour (default from a fixed palette by series index). */
  color?: string;
  dashed?: boolean;
}

export interface ChartFrame {
  title: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** Prefix for element ids (clip paths), to keep several charts in one page apart. */
  idPrefix?: string;
}

export interface LineChartSpec extends ChartFrame {
  series: readonly LineSeries[];
  /** Fix the y range instead of fitting the data. */
  yMin?: number;
  yMax?: number;
}

export interface BarSeries {
  name: string;
  /** One value per category. */
  values: ArrayLike<number>;
  /** Half-length of the error bar per category (e.g. sd or a CI half-width). */
  errors?: ArrayLike<number>;
  color?: string;
}

export interface BarChartSpec extends ChartFrame {
  categories: readonly string[];
  series: readonly BarSeries[];
}

export interface HeatmapSpec extends ChartFrame {
  /** Rows of the matrix (all of the same length). */
  values: readonly ArrayLike<number>[];
  rowLabels?: readonly string[];
  colLabels?: readonly string[];
  /** 'diverging' (blue–white–red, symmetric about 0 by default) or 'viridis'. */
  colorScale?: 'diverging' | 'viridis';
  min?: number;
  max?: number;
}

export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'] as const;

// ---- shared pieces ----------------------------------------------------------------------------

/** Escape text for XML element content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Coordinate formatting: 2 decimals, no "-0". */
function f(n: number): string {
  const r = Math.round(n * 100) / 100;
  return String(r === 0 ? 0 : r);
}

/** "Nice" tick positions (steps of 1, 2, 5 × 10^k) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, target = 6): { ticks: number[]; step: number } {
  if (!(hi > lo)) return { ticks: [lo], step: 1 };
  const raw = (hi - lo) / Math.max(1, target);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const ticks: number[] = [];
  const start = Math.ceil(lo / step - 1e-9);
  const end = Math.floor(hi / step + 1e-9);
  for (let k = start; k <= end; k++) {
    const t = Number((k * step).toPrecision(12)); // 3 × 0.1 → 0.3, not 0.30000000000000004
    ticks.push(t === 0 ? 0 : t);
  }
  return { ticks, step };
}

/** Tick label with as many decimals as the step needs. */
export function formatTick(v: number, step: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) return v.toExponential(Math.max(0, Math.min(3, -Math.floor(Math.log10(step / a)))));
  const decimals = Math.max(0, Math.min(8, -Math.floor(Math.log10(step) + 1e-9)));
  return v.toFixed(decimals);
}

function extent(values: Iterable<number>): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return [0, 1];
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return [lo - pad, hi + pad];
  }
  return [lo, hi];
}

function* iter(a: ArrayLike<number>): Iterable<number> {
  for (let i = 0; i < a.length; i++) yield a[i];
}

function idFor(prefix: string | undefined, title: string): string {
  if (prefix) return prefix.replace(/[^A-Za-z0-9_-]/g, '_');
  let h = 0x811c9dc5; // FNV-1a of the title: stable and usually distinct per chart
  for (let i = 0; i < title.length; i++) h = Math.imul(h ^ title.charCodeAt(i), 0x01000193) >>> 0;
  return `c${h.toString(16)}`;
}

interface Frame {
  w: number;
  h: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function open(w: number, h: number, title: string): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">`,
    `<rect x="0" y="0" width="${w}" height="${h}" fill="#ffffff"/>`,
    `<text x="${f(w / 2)}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  ];
}

function axisLabels(out: string[], fr: Frame, xLabel?: string, yLabel?: string): void {
  if (xLabel) out.push(`<text x="${f((fr.left + fr.right) / 2)}" y="${f(fr.h - 8)}" text-anchor="middle">${escapeXml(xLabel)}</text>`);
  if (yLabel) {
    const cy = (fr.top + fr.bottom) / 2;
    out.push(`<text x="14" y="${f(cy)}" text-anchor="middle" transform="rotate(-90 14 ${f(cy)})">${escapeXml(yLabel)}</text>`);
  }
}

function yAxis(out: string[], fr: Frame, lo: number, hi: number, sy: (v: number) => number): void {
  const { ticks, step } = niceTicks(lo, hi);
  out.push(`<g class="y-axis" stroke="#000000" stroke-width="1">`);
  out.push(`<line x1="${f(fr.left)}" y1="${f(fr.top)}" x2="${f(fr.left)}" y2="${f(fr.bottom)}"/>`);
  for (const t of ticks) {
    const y = sy(t);
    out.push(`<line x1="${f(fr.left - 5)}" y1="${f(y)}" x2="${f(fr.left)}" y2="${f(y)}"/>`);
    out.push(`<line x1="${f(fr.left)}" y1="${f(y)}" x2="${f(fr.right)}" y2="${f(y)}" stroke="#e0e0e0"/>`);
  }
  out.push('</g>');
  for (const t of ticks) out.push(`<text x="${f(fr.left - 8)}" y="${f(sy(t) + 4)}" text-anchor="end">${escapeXml(formatTick(t, step))}</text>`);
}

function legend(out: string[], fr: Frame, items: { name: string; color: string; dashed?: boolean }[]): void {
  if (items.length === 0) return;
  const width = 24 + Math.max(...items.map((i) => i.name.length)) * 7;
  const x = fr.right - width - 8;
  const y = fr.top + 8;
  out.push(`<g class="legend">`);
  out.push(`<rect x="${f(x)}" y="${f(y)}" width="${f(width)}" height="${items.length * 18 + 6}" fill="#ffffff" fill-opacity="0.85" stroke="#999999"/>`);
  items.forEach((it, i) => {
    const ly = y + 14 + i * 18;
    out.push(`<line x1="${f(x + 6)}" y1="${f(ly - 4)}" x2="${f(x + 20)}" y2="${f(ly - 4)}" stroke="${escapeXml(it.color)}" stroke-width="3"${it.dashed ? ' stroke-dasharray="4 3"' : ''}/>`);
    out.push(`<text x="${f(x + 24)}" y="${f(ly)}">${escapeXml(it.name)}</text>`);
  });
  out.push('</g>');
}

// ---- line chart -------------------------------------------------------------------------------

/** Line chart with optional shaded bands, axes with nice ticks, and a legend. */
export function lineChartSVG(spec: LineChartSpec): string {
  const w = spec.width ?? 720, h = spec.height ?? 420;
  const fr: Frame = { w, h, left: 70, right: w - 20, top: 36, bottom: h - 48 };
  const id = idFor(spec.idPrefix, spec.title);
  spec.series.forEach((s) => {
    if (s.xs.length !== s.ys.length) throw new Error(`lineChartSVG: series "${s.name}" has ${s.xs.length} xs and ${s.ys.length} ys`);
    if (s.band && (s.band.lo.length !== s.ys.length || s.band.hi.length !== s.ys.length)) throw new Error(`lineChartSVG: band of series "${s.name}" has the wrong length`);
  });
  const [x0, x1] = extent(spec.series.flatMap((s) => [...iter(s.xs)]));
  let [y0, y1] = extent(spec.series.flatMap((s) => [...iter(s.ys), ...(s.band ? [...iter(s.band.lo), ...iter(s.band.hi)] : [])]));
  if (spec.yMin !== undefined) y0 = spec.yMin;
  if (spec.yMax !== undefined) y1 = spec.yMax;
  if (!(y1 > y0)) y1 = y0 + 1;
  const sx = (v: number) => fr.left + ((v - x0) / (x1 - x0)) * (fr.right - fr.left);
  const sy = (v: number) => fr.bottom - ((v - y0) / (y1 - y0)) * (fr.bottom - fr.top);

  const out = open(w, h, spec.title);
  out.push(`<defs><clipPath id="${id}-plot"><rect x="${f(fr.left)}" y="${f(fr.top)}" width="${f(fr.right - fr.left)}" height="${f(fr.bottom - fr.top)}"/></clipPath></defs>`);
  yAxis(out, fr, y0, y1, sy);
  const xt = niceTicks(x0, x1);
  out.push(`<g class="x-axis" stroke="#000000" stroke-width="1"><line x1="${f(fr.left)}" y1="${f(fr.bottom)}" x2="${f(fr.right)}" y2="${f(fr.bottom)}"/>`);
  for (const t of xt.ticks) out.push(`<line x1="${f(sx(t))}" y1="${f(fr.bottom)}" x2="${f(sx(t))}" y2="${f(fr.bottom + 5)}"/>`);
  out.push('</g>');
  for (const t of xt.ticks) out.push(`<text x="${f(sx(t))}" y="${f(fr.bottom + 18)}" text-anchor="middle">${escapeXml(formatTick(t, xt.step))}</text>`);
  axisLabels(out, fr, spec.xLabel, spec.yLabel);

  const items: { name: string; color: string; dashed?: boolean }[] = [];
  out.push(`<g clip-path="url(#${id}-plot)">`);
  spec.series.forEach((s, si) => {
    const color = s.color ?? PALETTE[si % PALETTE.length];
    items.push({ name: s.name, color, dashed: s.dashed });
    const n = s.xs.length;
    if (s.band) {
      // one polygon per run of points where x, lo and hi are all finite
      let i = 0;
      while (i < n) {
        while (i < n && !(Number.isFinite(s.xs[i]) && Number.isFinite(s.band.lo[i]) && Number.isFinite(s.band.hi[i]))) i++;
        let j = i;
        while (j < n && Number.isFinite(s.xs[j]) && Number.isFinite(s.band.lo[j]) && Number.isFinite(s.band.hi[j])) j++;
        if (j > i) {
          const pts: string[] = [];
          for (let k = i; k < j; k++) pts.push(`${f(sx(s.xs[k]))},${f(sy(s.band.hi[k]))}`);
          for (let k = j - 1; k >= i; k--) pts.push(`${f(sx(s.xs[k]))},${f(sy(s.band.lo[k]))}`);
          out.push(`<polygon class="band" data-series="${escapeXml(s.name)}" points="${pts.join(' ')}" fill="${escapeXml(color)}" fill-opacity="0.2" stroke="none"/>`);
        }
        i = j;
      }
    }
    let d = '';
    let pen = false;
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(s.xs[i]) || !Number.isFinite(s.ys[i])) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${f(sx(s.xs[i]))} ${f(sy(s.ys[i]))} `;
      pen = true;
    }
    out.push(`<path class="series" data-series="${escapeXml(s.name)}" d="${d.trim()}" fill="none" stroke="${escapeXml(color)}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    // a lone point would be invisible as a path
    if (n === 1 && Number.isFinite(s.xs[0]) && Number.isFinite(s.ys[0])) {
      out.push(`<circle cx="${f(sx(s.xs[0]))}" cy="${f(sy(s.ys[0]))}" r="3" fill="${escapeXml(color)}"/>`);
    }
  });
  out.push('</g>');
  legend(out, fr, items);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

// ---- grouped bar chart ------------------------------------------------------------------------

/** Grouped bars (one group per category, one bar per series) with optional error bars. */
export function barChartSVG(spec: BarChartSpec): string {
  const w = spec.width ?? 720, h = spec.height ?? 420;
  const fr: Frame = { w, h, left: 70, right: w - 20, top: 36, bottom: h - 56 };
  const nc = spec.categories.length, ns = spec.series.length;
  spec.series.forEach((s) => {
    if (s.values.length !== nc) throw new Error(`barChartSVG: series "${s.name}" has ${s.values.length} values for ${nc} categories`);
    if (s.errors && s.errors.length !== nc) throw new Error(`barChartSVG: series "${s.name}" has ${s.errors.length} errors for ${nc} categories`);
  });
  const all: number[] = [0];
  for (const s of spec.series) {
    for (let c = 0; c < nc; c++) {
      const e = s.errors ? Math.abs(s.errors[c]) : 0;
      all.push(s.values[c] + (Number.isFinite(e) ? e : 0), s.values[c] - (Number.isFinite(e) ? e : 0));
    }
  }
  let [y0, y1] = extent(all);
  const pad = (y1 - y0) * 0.05;
  if (y1 > 0) y1 += pad;
  if (y0 < 0) y0 -= pad;
  const sy = (v: number) => fr.bottom - ((v - y0) / (y1 - y0)) * (fr.bottom - fr.top);
  const out = open(w, h, spec.title);
  yAxis(out, fr, y0, y1, sy);
  out.push(`<line x1="${f(fr.left)}" y1="${f(sy(0))}" x2="${f(fr.right)}" y2="${f(sy(0))}" stroke="#000000"/>`);
  axisLabels(out, fr, spec.xLabel, spec.yLabel);
  const groupW = (fr.right - fr.left) / Math.max(1, nc);
  const barW = (groupW * 0.8) / Math.max(1, ns);
  spec.categories.forEach((cat, c) => {
    const gx = fr.left + c * groupW;
    out.push(`<text x="${f(gx + groupW / 2)}" y="${f(fr.bottom + 18)}" text-anchor="middle">${escapeXml(cat)}</text>`);
  });
  spec.series.forEach((s, si) => {
    const color = s.color ?? PALETTE[si % PALETTE.length];
    out.push(`<g class="series" data-series="${escapeXml(s.name)}" fill="${escapeXml(color)}">`);
    for (let c = 0; c < nc; c++) {
      const v = s.values[c];
      if (!Number.isFinite(v)) continue;
      const x = fr.left + c * groupW + groupW * 0.1 + si * barW;
      const yTop = sy(Math.max(v, 0)), yBot = sy(Math.min(v, 0));
      out.push(`<rect x="${f(x)}" y="${f(yTop)}" width="${f(barW * 0.92)}" height="${f(yBot - yTop)}"><title>${escapeXml(`${s.name} / ${spec.categories[c]}: ${v}`)}</title></rect>`);
      const e = s.errors ? Math.abs(s.errors[c]) : NaN;
      if (Number.isFinite(e) && e > 0) {
        const cx = x + (barW * 0.92) / 2, a = sy(v + e), b = sy(v - e), cap = Math.min(6, barW * 0.3);
        out.push(`<path class="error" d="M${f(cx)} ${f(a)} L${f(cx)} ${f(b)} M${f(cx - cap)} ${f(a)} L${f(cx + cap)} ${f(a)} M${f(cx - cap)} ${f(b)} L${f(cx + cap)} ${f(b)}" stroke="#000000" stroke-width="1.2" fill="none"/>`);
      }
    }
    out.push('</g>');
  });
  legend(out, fr, spec.series.map((s, si) => ({ name: s.name, color: s.color ?? PALETTE[si % PALETTE.length] })));
  out.push('</svg>');
  return out.join('\n') + '\n';
}

// ---- heatmap ----------------------------------------------------------------------------------

const VIRIDIS: readonly [number, number, number][] = [
  [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
  [31, 158, 137], [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37],
];
const DIVERGING: readonly [number, number, number][] = [
  [5, 48, 97], [33, 102, 172], [67, 147, 195], [146, 197, 222], [209, 229, 240], [247, 247, 247],
  [253, 219, 199], [244, 165, 130], [214, 96, 77], [178, 24, 43], [103, 0, 31],
];

/** Colour for t ∈ [0, 1] by linear interpolation between the scale's anchors, as #rrggbb. */
export function colorAt(scale: 'diverging' | 'viridis', t: number): string {
  const stops = scale === 'viridis' ? VIRIDIS : DIVERGING;
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const u = x - i;
  const hex = (k: number) => Math.round(stops[i][k] + u * (stops[i + 1][k] - stops[i][k])).toString(16).padStart(2, '0');
  return `#${hex(0)}${hex(1)}${hex(2)}`;
}

/** Matrix as coloured cells with row/column labels and a colour bar. */
export function heatmapSVG(spec: HeatmapSpec): string {
  const rows = spec.values.length;
  const cols = rows > 0 ? spec.values[0].length : 0;
  spec.values.forEach((r, i) => {
    if (r.length !== cols) throw new Error(`heatmapSVG: row ${i} has ${r.length} values, row 0 has ${cols}`);
  });
  if (spec.rowLabels && spec.rowLabels.length !== rows) throw new Error(`heatmapSVG: ${spec.rowLabels.length} row labels for ${rows} rows`);
  if (spec.colLabels && spec.colLabels.length !== cols) throw new Error(`heatmapSVG: ${spec.colLabels.length} column labels for ${cols} columns`);
  const scale = spec.colorScale ?? 'diverging';
  let lo: number, hi: number;
  const flat = spec.values.flatMap((r) => [...iter(r)]);
  if (scale === 'diverging' && spec.min === undefined && spec.max === undefined) {
    let m = 1e-12; // a loop, not Math.max(...): matrices can exceed the argument limit
    for (const v of flat) if (Number.isFinite(v) && Math.abs(v) > m) m = Math.abs(v);
    lo = -m;
    hi = m;
  } else {
    [lo, hi] = extent(flat);
    if (spec.min !== undefined) lo = spec.min;
    if (spec.max !== undefined) hi = spec.max;
    if (!(hi > lo)) hi = lo + 1;
  }
  const w = spec.width ?? 720, h = spec.height ?? 480;
  const rowLabW = spec.rowLabels ? 8 + 7 * Math.max(0, ...spec.rowLabels.map((s) => s.length)) : 0;
  const colLabH = spec.colLabels ? 8 + 6 * Math.max(0, ...spec.colLabels.map((s) => s.length)) : 0;
  const fr: Frame = { w, h, left: 40 + rowLabW, right: w - 90, top: 36, bottom: h - 30 - colLabH };
  const cw = (fr.right - fr.left) / Math.max(1, cols), ch = (fr.bottom - fr.top) / Math.max(1, rows);
  const out = open(w, h, spec.title);
  axisLabels(out, fr, spec.xLabel, spec.yLabel);
  out.push(`<g class="cells" shape-rendering="crispEdges">`);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = spec.values[i][j];
      const fill = Number.isFinite(v) ? colorAt(scale, (v - lo) / (hi - lo)) : '#bdbdbd';
      out.push(`<rect x="${f(fr.left + j * cw)}" y="${f(fr.top + i * ch)}" width="${f(cw)}" height="${f(ch)}" fill="${fill}"/>`);
    }
  }
  out.push('</g>');
  if (spec.rowLabels) {
    spec.rowLabels.forEach((s, i) => out.push(`<text x="${f(fr.left - 4)}" y="${f(fr.top + (i + 0.5) * ch + 4)}" text-anchor="end" font-size="10">${escapeXml(s)}</text>`));
  }
  if (spec.colLabels) {
    spec.colLabels.forEach((s, j) => {
      const x = fr.left + (j + 0.5) * cw, y = fr.bottom + 6;
      out.push(`<text x="${f(x)}" y="${f(y)}" text-anchor="end" font-size="10" transform="rotate(-60 ${f(x)} ${f(y)})">${escapeXml(s)}</text>`);
    });
  }
  // colour bar
  const bx = fr.right + 16, bw = 14, steps = 64;
  const bh = (fr.bottom - fr.top) / steps;
  out.push(`<g class="colorbar" shape-rendering="crispEdges">`);
  for (let k = 0; k < steps; k++) {
    out.push(`<rect x="${f(bx)}" y="${f(fr.top + k * bh)}" width="${bw}" height="${f(bh + 0.5)}" fill="${colorAt(scale, 1 - (k + 0.5) / steps)}"/>`);
  }
  out.push(`<rect x="${f(bx)}" y="${f(fr.top)}" width="${bw}" height="${f(fr.bottom - fr.top)}" fill="none" stroke="#000000"/>`);
  out.push('</g>');
  const { ticks, step } = niceTicks(lo, hi, 5);
  for (const t of ticks) {
    const y = fr.bottom - ((t - lo) / (hi - lo)) * (fr.bottom - fr.top);
    out.push(`<line x1="${f(bx + bw)}" y1="${f(y)}" x2="${f(bx + bw + 4)}" y2="${f(y)}" stroke="#000000"/>`);
    out.push(`<text x="${f(bx + bw + 7)}" y="${f(y + 4)}">${escapeXml(formatTick(t, step))}</text>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
