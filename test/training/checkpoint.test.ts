import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../core/rng.js';
import { openAIES, openAIESParams, readStrategyState } from '../../training/es/index.js';
import { Normalizer } from '../../training/normalizer.js';
import {
  CheckpointError,
  readCheckpoint,
  readCheckpointHeader,
  writeCheckpoint,
} from '../../training/checkpoint.js';

const dir = mkdtempSync(join(tmpdir(), 'spikeloco-ckpt-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function sample() {
  const p = openAIESParams({ pairs: 2 });
  const opt = openAIES.init(p, new Float32Array(6), { seed: 3 });
  openAIES.ask(opt, p);
  openAIES.tell(opt, p, [1, 2, 3, 4]);
  const norm = new Normalizer(2);
  norm.stats.push([1, 2]);
  const rng = new Rng(8);
  rng.normal();
  const genome = Float32Array.from([0.1, -0, 1e-40, 3.4e38, -2.5, 1 / 3]);
  return {
    config: { pairs: 2, task: 'ant' },
    genomeLayout: [{ name: 'w_in', offset: 0, length: 6 }],
    generation: 1,
    optimizer: opt,
    normalizer: norm.getState(),
    rng: rng.getState(),
    best: { genome, fitness: 12.5, generation: 1 },
    history: [{ generation: 1, best: 4, mean: 2.5 }],
  };
}

function expectRefusal(path: string, problem: string, message: RegExp, kind?: string): void {
  assert.throws(
    () => readCheckpoint(path, kind),
    (e: unknown) => {
      assert.ok(e instanceof CheckpointError, `expected CheckpointError, got ${String(e)}`);
      assert.equal(e.problem, problem);
      assert.ok(e.message.includes(path), `message names the file: ${e.message}`);
      assert.match(e.message, message);
      return true;
    },
  );
}

test('round trip is exact: typed arrays bit for bit, nested data, special numbers', () => {
  const path = join(dir, 'a.ckpt');
  const data = sample();
  const extra = { ...data, odd: [NaN, Infinity, -Infinity, -0, 0], f64: Float64Array.from([Math.PI, -0, NaN]), nothing: null };
  const header = writeCheckpoint(path, 'es-run', extra, { created: new Date('2024-01-02T03:04:05Z') });
  const back = readCheckpoint<typeof extra>(path, 'es-run');
  assert.deepEqual(back.header, header);
  assert.equal(back.header.created, '2024-01-02T03:04:05.000Z');
  assert.ok(back.data.best!.genome instanceof Float32Array);
  assert.deepEqual(new Uint8Array(back.data.best!.genome.buffer), new Uint8Array(data.best!.genome.buffer));
  assert.ok(Object.is(back.data.best!.genome[1], -0));
  assert.deepEqual(back.data, extra);
  assert.ok(Object.is(back.data.odd[3], -0));
  assert.ok(Number.isNaN(back.data.f64[2]));
  // the optimiser restored from it continues identically
  const p = openAIESParams({ pairs: 2 });
  const a = readStrategyState(back.data.optimizer, 'optimizer') as typeof data.optimizer & { kind: 'openai-es' };
  const b = data.optimizer as typeof a;
  openAIES.ask(a, p); openAIES.ask(b, p);
  openAIES.tell(a, p, [4, 3, 2, 1]); openAIES.tell(b, p, [4, 3, 2, 1]);
  assert.deepEqual(a.center, b.center);
  // self-describing: header line and a readable genome copy
  const text = readFileSync(path, 'utf8');
  assert.match(text.split('\n')[0], /^\{"format":"spikeloco-checkpoint","version":1,"kind":"es-run"/);
  assert.match(text, /"values": \[\s*0\.10000000149011612/);
  assert.deepEqual(readCheckpointHeader(path), header);
  // no temp files left behind
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp-')), []);
});

test('truncated file is refused as truncated', () => {
  const path = join(dir, 'trunc.ckpt');
  writeCheckpoint(path, 'es-run', sample());
  const full = readFileSync(path);
  writeFileSync(path, full.subarray(0, full.length - 100));
  expectRefusal(path, 'truncated', /truncated: \d+ bytes after the header, expected \d+/);
  writeFileSync(path, full.subarray(0, 30));
  expectRefusal(path, 'truncated', /header line is incomplete/);
  writeFileSync(path, '');
  expectRefusal(path, 'truncated', /empty/);
});

test('a flipped byte in the payload is refused as corrupt (hash mismatch)', () => {
  const path = join(dir, 'flip.ckpt');
  writeCheckpoint(path, 'es-run', sample());
  const buf = readFileSync(path);
  const at = buf.indexOf('"fitness"');
  buf[at + 3] ^= 0x01;
  writeFileSync(path, buf);
  expectRefusal(path, 'corrupt', /SHA-256 .* does not match/);
  // appended garbage is refused too
  writeCheckpoint(path, 'es-run', sample());
  writeFileSync(path, Buffer.concat([readFileSync(path), Buffer.from('junk')]));
  expectRefusal(path, 'corrupt', /expected \d+ ending in a newline/);
});

test('foreign files, wrong version, wrong kind, missing file', () => {
  const path = join(dir, 'foreign.json');
  writeFileSync(path, JSON.stringify({ hello: 'world' }) + '\n');
  expectRefusal(path, 'foreign', /not a spikeloco-checkpoint file \(format is missing\)/);
  writeFileSync(path, '{\n  "format": "spikeloco-checkpoint"\n}\n');
  expectRefusal(path, 'foreign', /first line is not a JSON header/);
  writeFileSync(path, '{"format":"other-tool","version":1}\n{}\n');
  expectRefusal(path, 'foreign', /format is "other-tool"/);
  writeFileSync(path, 'PK\x03\x04 binary stuff without newline');
  expectRefusal(path, 'foreign', /no header line/);

  const v = join(dir, 'v2.ckpt');
  writeCheckpoint(v, 'es-run', sample());
  const text = readFileSync(v, 'utf8').replace('"version":1', '"version":2');
  writeFileSync(v, text);
  expectRefusal(v, 'version', /format version 2 is not supported \(this build reads version 1\)/);

  const k = join(dir, 'kind.ckpt');
  writeCheckpoint(k, 'bptt-rule', { rule: Float32Array.from([1, 2]) });
  expectRefusal(k, 'kind', /holds a "bptt-rule" checkpoint, expected "es-run"/, 'es-run');
  assert.equal(readCheckpoint(k).header.kind, 'bptt-rule'); // without an expectation it loads

  expectRefusal(join(dir, 'missing.ckpt'), 'unreadable', /cannot be read \(ENOENT\)/);
});

test('atomic write: a failed write leaves the previous checkpoint intact and no temp file', () => {
  const path = join(dir, 'atomic.ckpt');
  writeCheckpoint(path, 'es-run', { generation: 1, w: Float32Array.from([1, 2, 3]) });
  const good = readFileSync(path);
  let sawTmp = '';
  assert.throws(
    () =>
      writeCheckpoint(path, 'es-run', { generation: 2 }, {
        beforeRename: (tmp) => {
          sawTmp = tmp;
          assert.ok(existsSync(tmp), 'temp file exists before the rename');
          throw new Error('disk on fire');
        },
      }),
    (e: unknown) => e instanceof CheckpointError && e.problem === 'write' && /disk on fire/.test(e.message) && e.message.includes(path),
  );
  assert.ok(sawTmp.endsWith(`.tmp-${process.pid}`));
  assert.ok(!existsSync(sawTmp), 'temp file removed');
  assert.deepEqual(readFileSync(path), good);
  assert.equal(readCheckpoint<{ generation: number }>(path).data.generation, 1);

  // an unserialisable payload fails before touching the disk, naming the field
  assert.throws(() => writeCheckpoint(path, 'es-run', { a: { b: () => 1 } }), /a\.b is a function/);
  assert.throws(() => writeCheckpoint(path, 'es-run', { m: new Map() }), /m is a Map/);
  assert.throws(() => writeCheckpoint(path, 'es-run', { $typed: 1 }), /reserved/);
  assert.deepEqual(readFileSync(path), good);
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp-')), []);

  // a successful overwrite replaces it
  writeCheckpoint(path, 'es-run', { generation: 3 });
  assert.equal(readCheckpoint<{ generation: number }>(path).data.generation, 3);
});
