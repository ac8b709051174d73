import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTrainConfig, parseTrainConfig } from '../../training/config.js';
import { loadSuite } from '../../training/suites.js';
import { SchemaError } from '../../core/schema.js';
import { UserError } from '../../core/errors.js';

const message = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    return e.message;
  }
  assert.fail('accepted');
};

test('a training config with __proto__, constructor or a typo is refused, naming the key', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'spikeloco-cfg-')), 'cfg.json');
  writeFileSync(file, '{"controller": {"kind": "mlp"}, "__proto__": {"generations": 1}}');
  assert.match(message(() => loadTrainConfig(file)), /^.*cfg\.json: __proto__: no such field; allowed: name, morphology, conditions/);
  writeFileSync(file, '{"controller": {"kind": "mlp", "__proto__": {}}}');
  assert.match(message(() => loadTrainConfig(file)), /cfg\.json: controller\.__proto__: "__proto__" cannot be a key/);
  assert.match(message(() => parseTrainConfig({ controller: {}, optimizer: { constructor: 1 } }, 'c.json')), /^c\.json: optimizer\.constructor: no such field; allowed: kind, popSize/);
  assert.match(message(() => parseTrainConfig({ controller: {}, optimizer: { popsize: 8 } }, 'c.json')), /^c\.json: optimizer\.popsize: no such field \(did you mean "popSize"\?\)/);
});

test('the controller section is checked when the config is loaded, with its full path', () => {
  assert.equal(message(() => parseTrainConfig({ controller: { network: { hidden: 0 } } }, 'c.json')), 'c.json: controller.network.hidden: expected an integer ≥ 1, got 0');
  assert.match(message(() => parseTrainConfig({ controller: { netwrk: {} } }, 'c.json')), /^c\.json: controller\.netwrk: no such field \(did you mean "network"\?\)/);
  // kept as written: policies store the section unexpanded
  assert.deepEqual(parseTrainConfig({ controller: { kind: 'mlp' } }).controller, { kind: 'mlp' });
});

test('config-level checks are SchemaErrors naming the field: odd popSize, bad or held-out condition', () => {
  const odd = () => parseTrainConfig({ controller: {}, optimizer: { kind: 'pgpe', popSize: 7 } }, 'c.json');
  assert.throws(odd, SchemaError);
  assert.match(message(odd), /^c\.json: optimizer\.popSize: expected an even number for pgpe .*got 7$/);
  assert.doesNotThrow(() => parseTrainConfig({ controller: {}, optimizer: { kind: 'snes', popSize: 7 } }));
  assert.match(message(() => parseTrainConfig({ controller: {}, conditions: ['flat', 'friction(mu=0.7, mu=0.8)'] }, 'c.json')), /^c\.json: conditions\[1\]: condition "friction\(mu=0\.7, mu=0\.8\)": friction\.mu is given twice/);
  assert.match(message(() => parseTrainConfig({ controller: {}, conditions: ['friction(mu=0.3)'] }, 'c.json')), /^c\.json: conditions\[0\]: "friction\(mu=0\.3\)": friction\(mu=0\.3\) is held out/);
});

test('"$schema" is accepted and dropped; unreadable or non-JSON files are user errors', () => {
  const cfg = parseTrainConfig({ $schema: '../schemas/training-config.schema.json', controller: {} });
  assert.equal('$schema' in cfg, false);
  const dir = mkdtempSync(join(tmpdir(), 'spikeloco-cfg-'));
  writeFileSync(join(dir, 'bad.json'), '{"controller": ');
  assert.match(message(() => loadTrainConfig(join(dir, 'bad.json'))), /bad\.json: not valid JSON/);
  assert.match(message(() => loadTrainConfig(join(dir, 'missing.json'))), /cannot read config .*missing\.json/);
});

test('suites: a file is checked by its schema; an unknown name suggests the closest', () => {
  assert.match(message(() => loadSuite('unsen')), /^unknown suite "unsen" \(did you mean "unseen"\?\); known: flat, train, switches, unseen, or a \.json file$/);
  assert.match(message(() => loadSuite('constructor')), /^unknown suite "constructor"/);
  const dir = mkdtempSync(join(tmpdir(), 'spikeloco-suite-'));
  const f = join(dir, 's.json');
  writeFileSync(f, JSON.stringify({ $schema: '../schemas/suite.schema.json', conditions: ['flat', 'slope(deg=3)'] }));
  assert.deepEqual(loadSuite(f), { name: f, description: '', conditions: ['flat', 'slope(deg=3)'] });
  writeFileSync(f, JSON.stringify({ conditions: ['flat'], extra: 1 }));
  assert.match(message(() => loadSuite(f)), /s\.json: extra: no such field; allowed: name, description, conditions/);
  writeFileSync(f, JSON.stringify({ conditions: ['flat+flat'] }));
  assert.match(message(() => loadSuite(f)), /s\.json: conditions\[0\]: condition "flat\+flat": at most one terrain/);
});
