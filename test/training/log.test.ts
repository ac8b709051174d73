import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunLog, readLogCsv } from '../../training/log.js';
import { UserError } from '../../core/errors.js';

const root = mkdtempSync(join(tmpdir(), 'spikeloco-log-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));

const row = (g: number, extra?: Record<string, number>) => ({
  generation: g, evaluations: 100 * g, envSteps: 1000 * g, best: g + 0.5, mean: g / 3, sd: 0.25, elapsedS: 2 * g, stepsPerS: 500, extra,
});

test('appends one row per generation to log.jsonl and log.csv', () => {
  const dir = join(root, 'run1');
  const log = new RunLog(dir, { extraColumns: ['sigma', 'retention'] });
  log.append(row(1, { sigma: 0.1, retention: 0.9 }));
  log.append(row(2, { sigma: 0.05 }));
  const csv = readFileSync(join(dir, 'log.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'generation,evaluations,envSteps,best,mean,sd,elapsedS,stepsPerS,sigma,retention');
  assert.equal(csv[1], `1,100,1000,1.5,${1 / 3},0.25,2,500,0.1,0.9`);
  assert.equal(csv[2], `2,200,2000,2.5,${2 / 3},0.25,4,500,0.05,NaN`);
  const jl = readFileSync(join(dir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(jl.length, 2);
  assert.deepEqual(jl[1], { generation: 2, evaluations: 200, envSteps: 2000, best: 2.5, mean: 2 / 3, sd: 0.25, elapsedS: 4, stepsPerS: 500, sigma: 0.05, retention: null });
  assert.equal(readLogCsv(join(dir, 'log.csv'))[0].mean, 1 / 3);
  assert.throws(() => log.append(row(3, { surprise: 1 })), /"surprise" was not declared/);
  assert.throws(() => log.append({ ...row(3), best: 'high' as unknown as number }), /"best" must be a number/);
});

test('resume drops rows after the checkpoint; a new log never appends to another run; column mismatch is refused', () => {
  const dir = join(root, 'run2');
  const a = new RunLog(dir);
  for (let g = 1; g <= 5; g++) a.append(row(g));
  // a new run in the same directory is refused (its rows would mix with these)
  assert.throws(() => new RunLog(dir), (e: unknown) => e instanceof UserError && /already holds rows of another run/.test(e.message));
  const b = new RunLog(dir, { resumeFromGeneration: 3 });
  b.append(row(4));
  const rows = readLogCsv(join(dir, 'log.csv'));
  assert.deepEqual(rows.map((r) => r.generation), [1, 2, 3, 4]);
  const jl = readFileSync(join(dir, 'log.jsonl'), 'utf8').trim().split('\n');
  assert.deepEqual(jl.map((l) => JSON.parse(l).generation), [1, 2, 3, 4]);
  assert.throws(() => new RunLog(dir, { extraColumns: ['x'], resumeFromGeneration: 4 }), /has columns/);
  // empty logs (a run that wrote its header and nothing else) may be started over
  const c = join(root, 'run3');
  new RunLog(c);
  new RunLog(c).append(row(1));
  assert.equal(readLogCsv(join(c, 'log.csv')).length, 1);
});
