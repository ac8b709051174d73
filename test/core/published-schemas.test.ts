import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { publishedSchemas, schemaFileText } from '../../schemas/publish.js';
import { repoRoot } from '../../viewer/server/bundle.js';
import { loadTrainConfig } from '../../training/config.js';
import { antSpec } from '../../morphologies/ant.js';
import { hexapodSpec } from '../../morphologies/hexapod.js';
import { SUITES } from '../../training/suites.js';

const root = repoRoot();
const dir = join(root, 'schemas');

test('the committed schemas/*.schema.json are exactly what the code generates (run `npm run schemas` after changing a schema)', () => {
  const generated = publishedSchemas();
  const committed = readdirSync(dir).filter((f) => f.endsWith('.schema.json')).sort();
  assert.deepEqual(committed, Object.keys(generated).sort(), 'one file per published schema, no stale ones');
  for (const [file, schema] of Object.entries(generated)) {
    assert.equal(readFileSync(join(dir, file), 'utf8'), schemaFileText(schema), `schemas/${file} is out of date: run npm run schemas`);
  }
});

/** An independent ajv over the published files, as an editor or another tool would load them. */
function publishedAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true });
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.schema.json'))) ajv.addSchema(JSON.parse(readFileSync(join(dir, f), 'utf8')), f);
  return ajv;
}

test('the shipped configs name their schema and pass both it and the code', () => {
  const ajv = publishedAjv();
  const check = ajv.getSchema('training-config.schema.json')!;
  const configs = readdirSync(join(root, 'configs')).filter((f) => f.endsWith('.json'));
  assert.ok(configs.length >= 3);
  for (const f of configs) {
    const json = JSON.parse(readFileSync(join(root, 'configs', f), 'utf8'));
    assert.equal(json.$schema, '../schemas/training-config.schema.json', `configs/${f} has a "$schema" reference`);
    assert.ok(check(json), `configs/${f}: ${ajv.errorsText(check.errors)}`);
    assert.doesNotThrow(() => loadTrainConfig(join(root, 'configs', f)));
    assert.equal('$schema' in loadTrainConfig(join(root, 'configs', f)), false);
  }
  // the published schema refuses what the code refuses: typos, a bad controller field, __proto__
  const base = JSON.parse(readFileSync(join(root, 'configs', configs[0]), 'utf8'));
  assert.equal(check({ ...base, generatons: 3 }), false);
  assert.equal(check({ ...base, controller: { ...base.controller, network: { hiden: 3 } } }), false);
  assert.equal(check(JSON.parse(`{"controller": {}, "__proto__": {}}`)), false);
  assert.equal(check(JSON.parse(`{"controller": {"__proto__": {}}}`)), false);
});

test('the published morphology, suite and message schemas accept what the code ships and refuse the same mistakes', () => {
  const ajv = publishedAjv();
  const morph = ajv.getSchema('morphology.schema.json')!;
  for (const spec of [antSpec(), hexapodSpec()]) assert.ok(morph(JSON.parse(JSON.stringify(spec))), ajv.errorsText(morph.errors));
  assert.equal(morph({ ...antSpec(), density: -1 }), false);
  const suite = ajv.getSchema('suite.schema.json')!;
  for (const s of Object.values(SUITES)) assert.ok(suite(s), ajv.errorsText(suite.errors));
  assert.equal(suite({ conditions: [] }), false);
  const msg = ajv.getSchema('client-message.schema.json')!;
  assert.ok(msg({ type: 'condition', condition: 'rough(amplitude=0.05)', id: 3 }));
  assert.ok(msg({ type: 'push', velocity: [1, 0, 0] }));
  assert.equal(msg({ type: 'push', velocity: [1, 0] }), false);
  assert.equal(msg({ type: 'step', extra: 1 }), false);
  assert.equal(msg(JSON.parse('{"type": "step", "__proto__": {}}')), false);
});
