import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barChartSVG, colorAt, escapeXml, formatTick, heatmapSVG, lineChartSVG, niceTicks, type LineChartSpec } from '../../core/charts.js';

/**
 * A small XML well-formedness check: balanced, properly nested tags, quoted attributes, no
 * duplicate attributes, no raw '<' or stray '&' in text, exactly one root <svg>.
 */
function assertWellFormed(xml: string): void {
  const stack: string[] = [];
  let roots = 0;
  const re = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = re.exec(xml))) {
    assert.equal(m.index, pos, `unparsed text at ${pos}: ${xml.slice(pos, pos + 40)}`);
    pos = re.lastIndex;
    if (m[6]) assert.fail(`raw '<' or malformed tag at ${m.index}: ${xml.slice(m.index, m.index + 60)}`);
    if (m[5] !== undefined) {
      const text = m[5];
      assert.ok(!/&(?!(amp|lt|gt|quot|#39);)/.test(text), `stray & in text: ${text}`);
      if (stack.length === 0) assert.match(text, /^\s*$/, 'text outside the root');
      continue;
    }
    const [, close, name, attrs, selfClose] = m;
    if (!close) {
      const names = [...attrs.matchAll(/([\w:-]+)="/g)].map((a) => a[1]);
      assert.equal(new Set(names).size, names.length, `duplicate attribute in <${name}>`);
      for (const v of attrs.matchAll(/="([^"]*)"/g)) assert.ok(!/&(?!(amp|lt|gt|quot|#39);)/.test(v[1]), `stray & in attribute of <${name}>`);
      if (stack.length === 0) roots++;
      if (!selfClose) stack.push(name);
    } else {
      assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    }
  }
  assert.equal(pos, xml.length);
  assert.deepEqual(stack, [], 'unclosed elements');
  assert.equal(roots, 1);
  assert.match(xml, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
}

test('the well-formedness check itself rejects broken markup', () => {
  assert.throws(() => assertWellFormed('<svg xmlns="http://www.w3.org/2000/svg"><g></svg>'));
  assert.throws(() => assertWellFormed('<svg xmlns="http://www.w3.org/2000/svg"><text>a < b</text></svg>'));
  assert.throws(() => assertWellFormed('<svg xmlns="http://www.w3.org/2000/svg"><text>R&D</text></svg>'));
  assert.throws(() => assertWellFormed('<svg xmlns="http://www.w3.org/2000/svg" a="1" a="2"></svg>'));
});

test('nice ticks and tick labels', () => {
  assert.deepEqual(niceTicks(0, 10).ticks, [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(-0.3, 0.3, 6).ticks.map((t) => formatTick(t, 0.1)), ['-0.3', '-0.2', '-0.1', '0', '0.1', '0.2', '0.3']);
  assert.equal(formatTick(2500, 500), '2500');
  assert.equal(formatTick(0.25, 0.05), '0.25');
});

test('line chart: well-formed, one path per series with the data, bands, legend, escaping', () => {
  const xs = [0, 1, 2, 3, 4];
  const spec: LineChartSpec = {
    title: 'Return <ant> & "friends"',
    xLabel: 'generation',
    yLabel: 'return',
    series: [
      { name: 'OpenAI-ES', xs, ys: [0, 10, 20, 30, 40], band: { lo: [-1, 8, 17, 27, 35], hi: [1, 12, 23, 33, 45] } },
      { name: 'PGPE & ClipUp', xs, ys: [5, NaN, 15, 25, 20], dashed: true },
    ],
  };
  const svg = lineChartSVG(spec);
  assertWellFormed(svg);
  assert.ok(svg.includes('Return &lt;ant&gt; &amp; &quot;friends&quot;'));
  assert.ok(!svg.includes('<ant>'));
  assert.equal((svg.match(/<path class="series"/g) ?? []).length, 2);
  assert.ok(svg.includes('data-series="OpenAI-ES"'));
  assert.ok(svg.includes('>PGPE &amp; ClipUp</text>'), 'legend entry');
  assert.equal((svg.match(/<polygon class="band"/g) ?? []).length, 1);
  // plot area x 70..700, y 36..372; x ∈ [0, 4], y ∈ [−1, 45]
  const d = /data-series="OpenAI-ES" d="([^"]+)"/.exec(svg)![1];
  const pts = d.split(/[ML]/).filter(Boolean).map((p) => p.trim().split(' ').map(Number));
  assert.equal(pts.length, 5);
  assert.deepEqual(pts[0], [70, Math.round((372 - (1 / 46) * 336) * 100) / 100]);
  assert.equal(pts[4][0], 700);
  // the NaN breaks the second line into two pieces
  const d2 = /data-series="PGPE &amp; ClipUp" d="([^"]+)"/.exec(svg)![1];
  assert.equal((d2.match(/M/g) ?? []).length, 2);
  // deterministic
  assert.equal(svg, lineChartSVG(spec));
  assert.throws(() => lineChartSVG({ title: 't', series: [{ name: 'a', xs: [1, 2], ys: [1] }] }), /2 xs and 1 ys/);
});

test('bar chart: a bar per (category, series), error bars, negative values below zero', () => {
  const svg = barChartSVG({
    title: 'Retention',
    yLabel: 'return',
    categories: ['flat', 'slope', 'damaged <leg>'],
    series: [
      { name: 'plastic', values: [10, 8, 6], errors: [1, 1, 2] },
      { name: 'static', values: [10, -3, 2], errors: [1, 0.5, 0] },
    ],
  });
  assertWellFormed(svg);
  const rects = [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"><title>([^<]*)<\/title>/g)];
  assert.equal(rects.length, 6);
  assert.ok(svg.includes('damaged &lt;leg&gt;'));
  assert.equal((svg.match(/class="error"/g) ?? []).length, 5, 'zero-length error bars are omitted');
  // the −3 bar hangs below the zero line: its top is the zero line
  const neg = rects.find((r) => r[5].startsWith('static / slope'))!;
  const pos = rects.find((r) => r[5].startsWith('static / flat'))!;
  assert.ok(Math.abs(Number(neg[2]) - (Number(pos[2]) + Number(pos[4]))) <= 0.011, 'zero line'); // coordinates are rounded to 0.01
  assert.ok(Number(neg[4]) > 0);
  assert.throws(() => barChartSVG({ title: 't', categories: ['a'], series: [{ name: 's', values: [1, 2] }] }), /2 values for 1 categories/);
});

test('heatmap: one cell per entry, colours from the scale, labels and colour bar', () => {
  const values = [Float32Array.from([-1, 0, 1]), Float32Array.from([0.5, NaN, -0.5])];
  const svg = heatmapSVG({ title: 'W_hebb', values, rowLabels: ['n0', 'n1'], colLabels: ['a', 'b', 'c'] });
  assertWellFormed(svg);
  const cells = svg.slice(svg.indexOf('<g class="cells"'), svg.indexOf('</g>', svg.indexOf('<g class="cells"')));
  const fills = [...cells.matchAll(/fill="(#[0-9a-f]{6})"/g)].map((m) => m[1]);
  assert.equal(fills.length, 6);
  assert.equal(fills[0], colorAt('diverging', 0)); // −1 → bottom of the symmetric scale
  assert.equal(fills[1], '#f7f7f7'); // 0 → white
  assert.equal(fills[2], colorAt('diverging', 1));
  assert.equal(fills[4], '#bdbdbd'); // NaN → grey
  assert.ok(svg.includes('>n1</text>') && svg.includes('>c</text>'));
  assert.ok(svg.includes('class="colorbar"'));
  assert.equal(colorAt('viridis', 0), '#440154');
  assert.equal(colorAt('viridis', 1), '#fde725');
  assert.throws(() => heatmapSVG({ title: 't', values: [[1, 2], [3]] }), /row 1 has 1 values/);
  assert.equal(escapeXml(`a&b<c>"d"'e'`), 'a&amp;b&lt;c&gt;&quot;d&quot;&#39;e&#39;');
});
