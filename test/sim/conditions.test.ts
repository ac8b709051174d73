import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONDITION_TERMS, ConditionError, describeConditions, parseCondition } from '../../sim/conditions.js';
import { heightAt } from '../../sim/terrain.js';
import { antEnv } from './helpers.js';

test('condition strings parse with defaults and a canonical label', () => {
  const c = parseCondition('rough(amplitude=0.05)+friction(mu=0.4)+push(force=100)');
  assert.equal(c.label, 'rough(amplitude=0.05, scale=1.5, seed=1)+friction(mu=0.4)+push(force=100, every=2, duration=0.1)');
  assert.equal(c.terrain.kind, 'heightfield');
  assert.equal(c.groundFriction, 0.4);
  assert.deepEqual(c.push, { force: 100, every: 2, duration: 0.1 });
  assert.deepEqual(parseCondition('damaged(leg=front-left, length=0.1)').damaged, [{ leg: 'front-left', length: 0.1 }]);
  assert.deepEqual(parseCondition('weak-motor(joint=hip_1, scale=0.5)').weakMotors, [{ joint: 'hip_1', scale: 0.5 }]);
});

test('bad condition strings name the problem and list what is known', () => {
  assert.throws(() => parseCondition('lava'), /unknown condition "lava"; known: flat, slope, rough, steps, friction, gravity, push, payload, weak-motor, locked-joint, sensor-noise, damaged \(parameters and defaults: "Conditions" in README\.md\)$/);
  assert.throws(() => parseCondition('slope(angle=3)'), /slope has no parameter "angle"; its parameters: deg/);
  assert.throws(() => parseCondition('slope(deg=abc)'), /slope.deg expects a number, got "abc"/);
  assert.throws(() => parseCondition('slope(deg=80)'), /slope.deg must be in \[-30, 30\], got 80/);
  assert.throws(() => parseCondition('slope+rough'), /at most one terrain/);
  assert.throws(() => parseCondition(''), /empty condition/);
});

test('the unknown-condition error is one short line naming the closest condition', () => {
  const message = (text: string): string => {
    try {
      parseCondition(text);
    } catch (e) {
      assert.ok(e instanceof ConditionError);
      return e.message;
    }
    assert.fail(`"${text}" was accepted`);
  };
  const m = message('frction(mu=0.3)');
  assert.match(m, /^condition "frction\(mu=0\.3\)": unknown condition "frction" \(did you mean friction\(mu=0\.3\)\?\); known: flat, slope/);
  assert.ok(!m.includes('\n'), 'one line');
  assert.ok(m.length < 300, `short: ${m.length} characters`);
  assert.match(message('sensor-nois(std=0.1)'), /did you mean sensor-noise\(std=0\.05\)\?/);
  assert.match(message('rough(amplitud=0.1)'), /rough has no parameter "amplitud" \(did you mean "amplitude"\?\)/);
  // the full list with parameters stays available for help output
  assert.match(describeConditions(), /rough\(amplitude=0\.08, scale=1\.5, seed=1\)[\s\S]*sensor-noise\(std=0\.05\)/);
});

test('nothing in a condition string is accepted silently', () => {
  const refused: [string, RegExp][] = [
    ['friction(mu=0.3, mu=0.5)', /^condition "friction\(mu=0\.3, mu=0\.5\)": friction\.mu is given twice; give each parameter once$/],
    ['rough(seed=3, amplitude=0.1, seed=4)', /rough\.seed is given twice/],
    ['friction(mu=0.3)+friction(mu=0.5)', /friction is given twice; give it once/],
    ['gravity(scale=0.5)+push(force=10)+gravity(scale=2)', /gravity is given twice/],
    ['payload(kg=1)+payload(kg=2)', /payload is given twice/],
    ['weak-motor(joint=hip_1)+weak-motor(joint=hip_1, scale=2)', /weak-motor is given twice for joint=hip_1/],
    ['locked-joint(joint=ankle_1)+locked-joint(joint=ankle_1)', /locked-joint is given twice for joint=ankle_1/],
    ['friction(mu=)', /friction\.mu is empty; expected a number in \[0, 5\]/],
    ['friction(mu=NaN)', /friction\.mu expects a number, got "NaN"/],
    ['friction(mu=Infinity)', /friction\.mu expects a number, got "Infinity"/],
    ['friction(mu=-Infinity)', /friction\.mu expects a number/],
    ['friction(mu=1e400)', /friction\.mu expects a finite number, got "1e400"/],
    ['friction(mu=0x1)', /friction\.mu expects a number, got "0x1"/],
    ['friction(mu=0.5.1)', /friction\.mu expects a number/],
    ['friction(mu=-0.1)', /friction\.mu must be in \[0, 5\], got -0\.1/],
    ['rough(seed=1.5)', /rough\.seed must be an integer in \[0, 2147483648\], got 1\.5/],
    ['friction(mu=0.3)x', /unexpected "x" after "friction\(mu=0\.3\)"/],
    ['friction(mu=0.3))', /friction\(mu=0\.3\)\)/],
    ['friction(mu=0.3', /lacks its closing "\)"/],
    ['friction(mu=0.3,)', /empty parameter \(a stray ","\?\)/],
    ['friction(0.3)', /friction: expected key=value, got "0\.3"/],
    ['flat+', /empty term \(a stray "\+"\?\)/],
    ['+flat', /empty term/],
    ['flat(mu=1)', /flat has no parameter "mu"; its parameters: none/],
    ['weak-motor(joint=hip 1)', /weak-motor\.joint expects a name/],
    ['weak-motor(joint=)', /weak-motor\.joint expects a name/],
  ];
  for (const [text, pattern] of refused) {
    assert.throws(() => parseCondition(text), (e: unknown) => e instanceof ConditionError && pattern.test(e.message), `"${text}" should be refused with ${pattern}`);
  }
  // what stays valid: repeats of per-joint and per-leg terms on different joints, explicit defaults
  assert.equal(parseCondition('weak-motor(joint=hip_1)+weak-motor(joint=hip_2)').weakMotors.length, 2);
  assert.equal(parseCondition('slope()').label, 'slope(deg=8)');
  assert.equal(parseCondition(' friction( mu = 1e-1 ) ').groundFriction, 0.1);
  assert.equal(parseCondition('rough(seed=2147483648)').label, 'rough(amplitude=0.08, scale=1.5, seed=2147483648)');
});

test('the same terrain string and seed give the same heights; another seed differs', () => {
  const a = parseCondition('rough(seed=3)').terrain.heights;
  const b = parseCondition('rough(seed=3)').terrain.heights;
  const c = parseCondition('rough(seed=4)').terrain.heights;
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  const max = a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  assert.ok(max > 0.04 && max <= 0.08 + 1e-6, `rough amplitude respected: ${max}`);
});

test('heightfield orientation: physics ground matches the terrain spec (slope rises along +x)', async () => {
  const env = await antEnv({ condition: 'slope(deg=10)' });
  const g = Math.tan((10 * Math.PI) / 180);
  for (const [x, y] of [[5, 2], [5, -3], [10, 0], [-3, 4]]) {
    const [px, py, pz] = env.probeGround(x, y);
    const expected = px > 1 ? g * (px - 1) : 0;
    assert.ok(Math.abs(py - y) < 1e-3, 'a slope along x does not move the probe in y');
    assert.ok(Math.abs(pz - expected) < 0.01, `slope ground at (${px}, ${py}): ${pz} vs ${expected}`);
  }
  assert.ok(env.probeGround(10, 0)[2] > 1.4, 'uphill towards +x');
  env.free();
  // a terrain that varies in both x and y pins down both axes and the row/column order
  const rough = await antEnv({ condition: 'rough(amplitude=0.2, scale=1, seed=9)' });
  let worst = 0, span = 0;
  for (const [x, y] of [[3.1, 2.3], [7.7, -4.2], [-5.5, 6.1], [12.3, -9.9], [20.05, 1.7], [4.4, -1.1]]) {
    const [px, py, pz] = rough.probeGround(x, y);
    const h = heightAt(rough.condition.terrain, px, py);
    worst = Math.max(worst, Math.abs(pz - h));
    span = Math.max(span, Math.abs(h));
  }
  // two triangles per cell against the bilinear reference: within a few mm; bumps are 10× larger
  assert.ok(worst < 0.01, `heightfield vs spec: worst difference ${worst}`);
  assert.ok(span > 0.05, 'the probed points are not all flat');
  rough.free();
});

test('every registered condition builds and runs 2 s without non-finite state', async () => {
  for (const term of CONDITION_TERMS) {
    const env = await antEnv({ condition: term.name });
    env.reset(1);
    const a = new Float32Array(env.actSize);
    for (let t = 0; t < 40; t++) {
      for (let j = 0; j < a.length; j++) a[j] = Math.sin(0.3 * t + j);
      const r = env.step(a);
      assert.ok(r.obs.every(Number.isFinite), `${term.name}: non-finite observation at step ${t}`);
      assert.equal(r.nonFinite, false, term.name);
      if (r.done) break;
    }
    env.free();
  }
});
