import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressReporter, formatDuration, formatNumber, progressBar } from '../../training/progress.js';

class Sink {
  chunks: string[] = [];
  constructor(readonly isTTY: boolean, readonly columns?: number) {}
  write(s: string): boolean {
    this.chunks.push(s);
    return true;
  }
  get text(): string {
    return this.chunks.join('');
  }
}

test('formatDuration', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(42.4), '42s');
  assert.equal(formatDuration(59.6), '1m00s');
  assert.equal(formatDuration(192), '3m12s');
  assert.equal(formatDuration(7380), '2h03m');
  assert.equal(formatDuration(200000), '2d07h');
  assert.equal(formatDuration(NaN), '--');
  assert.equal(formatDuration(-1), '--');
});

test('formatNumber: separators, default decimals, specials, no locale', () => {
  assert.equal(formatNumber(4820), '4,820');
  assert.equal(formatNumber(1234567.89), '1,234,568');
  assert.equal(formatNumber(-1234567.89, 2), '-1,234,567.89');
  assert.equal(formatNumber(312.44), '312.4');
  assert.equal(formatNumber(999.96), '1,000.0');
  assert.equal(formatNumber(0.012345), '0.0123');
  assert.equal(formatNumber(-0.00001, 2), '0.00');
  assert.equal(formatNumber(NaN), '--');
  assert.equal(formatNumber(-Infinity), '-∞');
});

test('progress bar', () => {
  assert.equal(progressBar(0, 10), '[>         ]');
  assert.equal(progressBar(0.5, 10), '[=====>    ]');
  assert.equal(progressBar(1, 10), '[==========]');
  assert.equal(progressBar(2, 4), '[====]');
});

test('TTY: one line redrawn in place with bar, stats and ETA; throttled; newline at done', () => {
  let t = 0;
  const s = new Sink(true);
  const p = new ProgressReporter({ total: 200, stream: s, now: () => t, barWidth: 10 });
  t = 24_000; // 12 generations in 24 s → 2 s/gen → 188 left ≈ 6m16s
  p.update({ generation: 12, best: 312.44, mean: 201.66, stepsPerS: 4820 });
  assert.equal(s.chunks.length, 1);
  assert.equal(s.chunks[0], '\rgen 12/200 [>         ] best 312.4 mean 201.7 | 4,820 steps/s | ETA 6m16s\x1b[K');
  t += 50; // inside the 100 ms redraw interval: skipped
  p.update({ generation: 13, best: 320, mean: 205, stepsPerS: 4900 });
  assert.equal(s.chunks.length, 1);
  p.done();
  assert.equal(s.chunks.length, 3);
  assert.match(s.chunks[1], /^\rgen 13\/200 .*best 320\.0/);
  assert.equal(s.chunks[2], '\n');
  assert.ok(!s.text.slice(0, -1).includes('\n'), 'a single line until done');
  p.done();
  assert.equal(s.chunks.length, 3, 'done is idempotent');
});

test('TTY line is cut to the terminal width', () => {
  const s = new Sink(true, 30);
  const p = new ProgressReporter({ total: 10, stream: s, now: () => 0 });
  p.update({ generation: 1, best: 1, mean: 1, stepsPerS: 1 });
  assert.equal(s.chunks[0], '\r' + 'gen 1/10 [==>                 ] best 1.0'.slice(0, 29) + '\x1b[K');
});

test('not a TTY: plain lines, throttled, first and last always written, no control characters', () => {
  let t = 0;
  const s = new Sink(false);
  const p = new ProgressReporter({ total: 100, stream: s, now: () => t, intervalMs: 5000 });
  for (let g = 1; g <= 100; g++) {
    t = g * 1000; // 1 s per generation
    p.update({ generation: g, best: g, mean: g / 2 });
  }
  p.done();
  const lines = s.text.trimEnd().split('\n');
  // g = 1 (first), then every 5 s: 6, 11, …, 96, and 100 (last)
  assert.deepEqual(lines.map((l) => Number(/^gen (\d+)\//.exec(l)![1])), [1, ...Array.from({ length: 19 }, (_, k) => 6 + 5 * k), 100]);
  assert.ok(!s.text.includes('\r') && !s.text.includes('\x1b'), 'no control characters');
  assert.match(lines[lines.length - 1], /\[====================\] best 100\.0 mean 50\.0 \| ETA 0s$/);
  assert.match(lines[1], /ETA 1m34s$/); // gen 6 at 6 s → 94 left at 1 s each
});

test('a resumed run estimates from its own rate', () => {
  let t = 0;
  const s = new Sink(false);
  const p = new ProgressReporter({ total: 100, startGeneration: 50, stream: s, now: () => t });
  t = 10_000;
  p.update({ generation: 60 }); // 10 gens in 10 s → 40 left → 40 s
  assert.equal(s.text, 'gen 60/100 [============>       ] | ETA 40s\n');
});

test('with a time budget, the ETA is that of whichever budget binds first', () => {
  let t = 0;
  const s = new Sink(false);
  // 2000 generations at 1 s each would take 33 min; the 5-min budget binds
  const p = new ProgressReporter({ total: 2000, budgetSeconds: 300, stream: s, now: () => t, intervalMs: 0 });
  t = 10_000;
  p.update({ generation: 10 });
  assert.match(s.text, /ETA 4m50s \(time budget\)\n$/);
  assert.equal(p.eta(10).binds, 'time');
  // a generous budget: the generation count binds (90 left at 1 s each)
  const s2 = new Sink(false);
  const q = new ProgressReporter({ total: 100, budgetSeconds: 3600, stream: s2, now: () => t, intervalMs: 0 });
  t = 20_000;
  q.update({ generation: 10 });
  assert.match(s2.text, /ETA 1m30s\n$/);
  assert.equal(q.eta(10).binds, 'generations');
  // before any generation the time budget is the only estimate there is
  const r = new ProgressReporter({ total: 100, budgetSeconds: 60, stream: new Sink(false), now: () => t });
  assert.deepEqual(r.eta(0), { seconds: 60, binds: 'time' });
  // no budget (0): as before
  assert.ok(Number.isNaN(new ProgressReporter({ total: 100, budgetSeconds: 0, stream: new Sink(false), now: () => t }).etaSeconds(0)));
});
