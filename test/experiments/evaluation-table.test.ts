import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluationCsv, formatEvaluation, includesNoChange, retentionInterval, NO_CHANGE_MARK, type ConditionResult, type EvaluationReport } from '../../experiments/evaluation.js';

test('retention interval: delta method for a ratio of independent means, t95 quantile', () => {
  // R = 9/10; se = R·√(3²/(10·9²) + 1²/(10·10²)) = 0.9·√0.0121111 = 0.099045; × t95(10) = 2.262
  const a = retentionInterval({ mean: 9, sd: 3 }, { mean: 10, sd: 1 }, 10);
  assert.ok(Math.abs(a.retention - 0.9) < 1e-12);
  assert.ok(Math.abs(a.ci95 - 2.262 * 0.9 * Math.sqrt(9 / 810 + 1 / 1000)) < 1e-12);
  const b = retentionInterval({ mean: 5, sd: 0.5 }, { mean: 10, sd: 1 }, 10);
  assert.ok(Math.abs(b.ci95 - 2.262 * 0.5 * Math.sqrt(0.002)) < 1e-12);
  assert.ok(Number.isNaN(retentionInterval({ mean: 5, sd: 0 }, { mean: 10, sd: 0 }, 1).ci95), 'one episode: no interval');
  assert.ok(Number.isNaN(retentionInterval({ mean: 5, sd: 1 }, { mean: 0, sd: 1 }, 5).retention), 'flat distance 0: no retention');
});

const row = (condition: string, mean: number, sd: number, retention: number, retentionCi95: number): ConditionResult => ({
  condition,
  episodes: 10,
  distance: { mean, sd, ci95: 0.7 * sd },
  speed: { mean: mean / 10, ci95: 0.07 * sd },
  fallRate: 0,
  meanSeconds: 10,
  retention,
  retentionCi95,
});

test('the table marks retentions whose 95% interval includes 1 and explains the mark below it', () => {
  const report: EvaluationReport = {
    suite: 'unseen',
    episodes: 10,
    seconds: 10,
    seed: 1,
    policies: [
      {
        policy: 'runs/x/best.json',
        controller: 'plastic-snn',
        conditions: [row('flat', 10, 1, 1, 0), row('friction(mu=0.3)', 11, 3, 1.1, 0.3), row('gravity(scale=0.8)', 5, 0.5, 0.5, 0.05), row('payload(kg=2)', 10.5, 0.2, 1.05, 0.02)],
      },
    ],
  };
  const text = formatEvaluation(report);
  const line = (c: string) => text.split('\n').find((l) => l.startsWith(c))!;
  assert.ok(line('friction(mu=0.3)').endsWith(`1.10 ± 0.30 ${NO_CHANGE_MARK}`), line('friction(mu=0.3)'));
  assert.ok(!line('gravity(scale=0.8)').includes(NO_CHANGE_MARK), 'a clear loss is not marked');
  assert.ok(!line('payload(kg=2)').includes(NO_CHANGE_MARK), 'a clear gain is not marked');
  assert.ok(!line('flat').includes(NO_CHANGE_MARK), 'flat is 1 by definition, not a finding');
  assert.match(text.split('\n').at(-1)!, new RegExp(`^retention = distance / flat distance; ${NO_CHANGE_MARK}: its 95% interval includes 1`));
  assert.equal(includesNoChange(report.policies[0].conditions[1]), true);
  const csv = evaluationCsv(report).trim().split('\n');
  assert.match(csv[0], /,retention,retention_ci95,retention_includes_1$/);
  assert.match(csv[2], /,1\.1,0\.3,1$/);
  assert.match(csv[3], /,0\.5,0\.05,0$/);
});
