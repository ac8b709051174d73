import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MORPHOLOGIES, SpecError, actuatedJoints, damaged, loadMorphology, toMJCF, validateSpec } from '../../morphologies/index.js';

test('registry: ant, hexapod and the URDF quadruped12, each a valid spec with that name', () => {
  assert.deepEqual(Object.keys(MORPHOLOGIES).sort(), ['ant', 'hexapod', 'quadruped12']);
  for (const name of Object.keys(MORPHOLOGIES)) {
    const s = loadMorphology(name);
    assert.equal(s.name, name);
    assert.deepEqual(validateSpec(s), s);
  }
  assert.equal(actuatedJoints(loadMorphology('hexapod')).length, 12);
  assert.equal(actuatedJoints(loadMorphology('quadruped12')).length, 12);
  assert.equal(typeof toMJCF, 'function');
});

test('unknown name lists the known morphologies', () => {
  assert.throws(() => loadMorphology('spider'), (e: Error) => e instanceof SpecError && /unknown morphology "spider" \(known: ant, hexapod, quadruped12/.test(e.message));
  assert.throws(() => loadMorphology('constructor'), SpecError);
});

test('a JSON file round-trips through loadMorphology; a bad one names file and field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikeloco-morph-'));
  try {
    const good = join(dir, 'damaged-ant.json');
    const spec = damaged(loadMorphology('ant'), 'front-left', 0.1);
    writeFileSync(good, JSON.stringify(spec, null, 2));
    assert.deepEqual(loadMorphology(good), spec);

    const bad = join(dir, 'bad.json');
    spec.bodies[4].parent = 'foo';
    writeFileSync(bad, JSON.stringify(spec));
    assert.throws(() => loadMorphology(bad), (e: Error) => e instanceof SpecError && e.message === `${bad}: bodies[4].parent: unknown body "foo" (bodies: torso, hip_1_link, ankle_1_link, hip_2_link, ankle_2_link, hip_3_link, ankle_3_link, hip_4_link, ankle_4_link)`);

    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"name": ');
    assert.throws(() => loadMorphology(broken), (e: Error) => e instanceof SpecError && e.message.startsWith(`${broken}: (file): not valid JSON`));
    assert.throws(() => loadMorphology(join(dir, 'missing.json')), (e: Error) => e instanceof SpecError && e.message.includes('cannot read'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
