import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { antSpec } from '../../morphologies/ant.js';
import { hexapodSpec } from '../../morphologies/hexapod.js';
import { toMJCF } from '../../morphologies/mjcf.js';
import { damaged, lockedJoint, payload, weakMotor } from '../../morphologies/variants.js';
import { importMJCF, importMJCFText } from '../../morphologies/import/mjcf.js';
import { importURDF } from '../../morphologies/import/urdf.js';
import { MODELS_DIR, loadMorphology } from '../../morphologies/index.js';
import { SpecError } from '../../morphologies/spec-error.js';
import { bodyMass, totalMass } from '../../morphologies/mass.js';
import type { MorphologySpec } from '../../morphologies/spec.js';

const GYM_ANT = join(MODELS_DIR, 'ant.xml');

test('export → import gives back the same spec: ant, hexapod and every variant', () => {
  const specs: MorphologySpec[] = [
    antSpec(),
    hexapodSpec(),
    damaged(antSpec(), 'front-left', 0.1),
    payload(hexapodSpec(), 2.5),
    lockedJoint(lockedJoint(antSpec(), 'hip_1'), 'ankle_2'),
    weakMotor(hexapodSpec(), 0.3, 'knee_3'),
    payload(lockedJoint(damaged(hexapodSpec(), 'back-right', 0.2), 'knee_2'), 3),
    loadMorphology('quadruped12'),
    importMJCF(GYM_ANT).spec,
    importURDF(join(MODELS_DIR, 'quadruped12.urdf'), { actuator: { kind: 'position', kp: 20, kv: 0.5 }, armature: 0.01 }).spec,
  ];
  for (const s of specs) {
    const back = importMJCFText(toMJCF(s), `${s.name}.xml`).spec;
    assert.deepEqual(back, s, s.name);
  }
});

test('without our metadata the physics still round-trips: bodies, joints, geoms, feet (inferred as the leaf bodies)', () => {
  for (const s of [antSpec(), hexapodSpec(), payload(hexapodSpec(), 1)]) {
    const xml = toMJCF(s).replace(/<custom>.*<\/custom>\n/, '');
    assert.ok(!xml.includes('spikeloco.spec'));
    const back = importMJCFText(xml, 'plain.xml').spec;
    assert.deepEqual(back.bodies, s.bodies);
    assert.deepEqual(back.feet, s.feet);
    assert.deepEqual(Object.values(back.legs), Object.values(s.legs), 'same joints per leg (leg names come from the first body)');
    assert.equal(back.description, 'imported from plain.xml (MJCF)');
  }
});

/** The built-in ant's fields, keyed by joint name (the names both share), for a field-by-field comparison. */
function byJoint(spec: MorphologySpec): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const b of spec.bodies) {
    const key = b.joint?.name ?? '(root)';
    out.set(key, {
      parent: b.parent === null ? null : spec.bodies.find((p) => p.name === b.parent)!.joint?.name ?? '(root)',
      pos: b.pos,
      joint: b.joint && { ...b.joint, name: undefined },
      geoms: b.geoms.map((g) => ({ ...g, name: undefined })),
      mass: bodyMass(b, spec.density),
    });
  }
  return out;
}

test("Gymnasium's ant.xml imports to the built-in ant's physics, field by field; the differences are names and action order", () => {
  const r = importMJCF(GYM_ANT);
  const gym = r.spec, ours = antSpec();
  assert.deepEqual(byJoint(gym), byJoint(ours));
  assert.equal(totalMass(gym), totalMass(ours));
  assert.deepEqual([gym.density, gym.friction], [ours.density, ours.friction]);
  assert.deepEqual(r.options, { timestep: 0.01 });
  // documented differences: Gymnasium's actuator order starts at hip_4, its hip bodies are aux_i, its geoms have other names
  assert.deepEqual(gym.bodies.map((b) => b.joint?.name ?? null), [null, 'hip_4', 'ankle_4', 'hip_1', 'ankle_1', 'hip_2', 'ankle_2', 'hip_3', 'ankle_3']);
  assert.deepEqual(gym.bodies.map((b) => b.name).slice(1, 3), ['aux_4', 'ankle_4_link']);
  assert.deepEqual(gym.feet, ['fourth_ankle_geom', 'left_ankle_geom', 'right_ankle_geom', 'third_ankle_geom']);
  assert.deepEqual(Object.keys(gym.legs), ['aux_4', 'aux_1', 'aux_2', 'aux_3']);
  // what was ignored is said: visual elements, contact margins, the solver, the floor
  const w = r.warnings.join('\n');
  for (const s of ['<light>', '<camera>', '<asset><texture> ×3', 'margin= on <geom> ×13', 'integrator=', 'world <geom>', '<custom><numeric>']) assert.ok(w.includes(s), `warning about ${s}:\n${w}`);
  assert.ok(/ant\.xml:22 mujoco\/worldbody\/body\[torso\]\/camera\[track\]/.test(w), w);
});

test('ant.xml walks the open-loop gait like the built-in ant (same physics under the same sim)', async () => {
  const { LocomotionEnv } = await import('../../sim/env.js');
  const { walkGait } = await import('../sim/helpers.js');
  const gym = importMJCF(GYM_ANT).spec;
  const ours = antSpec();
  // reordered into our body order, the imported spec is the built-in one up to names: bitwise the same walk
  const order = ours.bodies.map((b) => b.joint?.name ?? null);
  const reordered = { ...gym, bodies: order.map((n) => gym.bodies.find((b) => (b.joint?.name ?? null) === n)!) };
  const walk = async (spec: MorphologySpec, seeds: number[]): Promise<number[]> => {
    const env = await LocomotionEnv.create({ morphology: spec });
    return seeds.map((s) => walkGait(env, s, 10).distance);
  };
  assert.deepEqual(await walk(reordered, [0, 1]), await walk(ours, [0, 1]));
  // as imported (Gymnasium's action order, so Rapier builds the bodies in another order and the
  // chaotic open-loop walk takes another path): the mean over 8 seeds within 10 % (measured 3.4 %)
  const seeds = [0, 1, 2, 3, 4, 5, 6, 7];
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  const [dg, dо] = [mean(await walk(gym, seeds)), mean(await walk(ours, seeds))];
  assert.ok(dо > 3, `the built-in ant walks (${dо} m)`);
  assert.ok(Math.abs(dg - dо) / dо < 0.1, `gym ${dg} m vs built-in ${dо} m`);
});

const robot = (inner: string, actuators = '<motor joint="j1" gear="1" ctrlrange="-1 1"/>', top = '', rootExtra = '<freejoint/>') => `<mujoco model="t">
  ${top}
  <worldbody>
    <body name="torso" pos="0 0 1">
      ${rootExtra}
      <geom type="sphere" size="0.1"/>
      <body name="leg" pos="0.1 0 0">
        <joint name="j1" axis="0 1 0" range="-30 30"/>
        <geom type="capsule" size="0.02" fromto="0 0 0 0.2 0 0"/>
        ${inner}
      </body>
    </body>
  </worldbody>
  <actuator>${actuators}</actuator>
</mujoco>
`;

const lineOf = (text: string, needle: string): number => {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, needle);
  return text.slice(0, i).split('\n').length;
};

const LEG = 'mujoco/worldbody/body[torso]/body[leg]';
const REFUSED: { what: string; xml: string; at: string; path: string; msg: RegExp }[] = [
  { what: 'slide joint', xml: robot('<body name="b2"><joint name="s" type="slide"/><geom size="0.1"/></body>'), at: 'type="slide"', path: `${LEG}/body[b2]/joint[s]`, msg: /joint type "slide" is not supported/ },
  { what: 'ball joint', xml: robot('<body name="b2"><joint name="s" type="ball"/><geom size="0.1"/></body>'), at: 'type="ball"', path: `${LEG}/body[b2]/joint[s]`, msg: /joint type "ball"/ },
  { what: 'second hinge in a body', xml: robot('<joint name="j2" axis="1 0 0"/>'), at: 'name="j2"', path: `${LEG}/joint[j2]`, msg: /a second joint in body "leg"/ },
  { what: 'mesh geom of an unknown mesh', xml: robot('<geom name="g" type="mesh" mesh="m"/>'), at: 'type="mesh"', path: `${LEG}/geom[g]`, msg: /unknown mesh "m" \(meshes: none\)/ },
  { what: 'ellipsoid', xml: robot('<geom name="g" type="ellipsoid" size="0.1 0.2 0.3"/>'), at: 'ellipsoid', path: `${LEG}/geom[g]`, msg: /ellipsoid/ },
  { what: 'plane in a body', xml: robot('<geom name="g" type="plane" size="1 1 1"/>'), at: 'type="plane"', path: `${LEG}/geom[g]`, msg: /plane/ },
  { what: 'unactuated hinge', xml: robot('<body name="b3"><joint name="j3"/><geom size="0.05"/></body>'), at: 'name="j3"', path: `${LEG}/body[b3]/joint[j3]`, msg: /has no actuator.*<motor joint="j3"/ },
  { what: 'general actuator', xml: robot('', '<general joint="j1"/>'), at: '<general', path: 'mujoco/actuator/general', msg: /<general> actuators are supported only in the PD form/ },
  { what: 'asymmetric ctrlrange', xml: robot('', '<motor joint="j1" ctrlrange="0 1"/>'), at: 'ctrlrange="0 1"', path: 'mujoco/actuator/motor', msg: /symmetric/ },
  { what: 'unbounded motor', xml: robot('', '<motor joint="j1" gear="5"/>'), at: 'gear="5"', path: 'mujoco/actuator/motor', msg: /unbounded motor/ },
  { what: 'ctrlrange without ctrllimited under autolimits="false"', xml: robot('', '<motor joint="j1" ctrlrange="-1 1"/>', '<compiler autolimits="false"/>'), at: '<motor', path: 'mujoco/actuator/motor', msg: /unbounded motor/ },
  { what: 'position actuator with gear', xml: robot('', '<position joint="j1" kp="10" gear="2" forcerange="-5 5"/>'), at: '<position', path: 'mujoco/actuator/position', msg: /gear="2" on a position actuator/ },
  { what: 'tendon transmission', xml: robot('', '<motor tendon="t1" ctrlrange="-1 1"/>'), at: 'tendon="t1"', path: 'mujoco/actuator/motor', msg: /attribute tendon="t1" of <motor> is not supported/ },
  { what: 'second actuator on a joint', xml: robot('', '<motor joint="j1" ctrlrange="-1 1"/><motor name="m2" joint="j1" ctrlrange="-1 1"/>'), at: 'name="m2"', path: 'mujoco/actuator/motor[m2]', msg: /a second actuator on joint "j1"/ },
  { what: 'box not axis-aligned', xml: robot('<geom name="bx" type="box" size="0.1 0.1 0.1" euler="0 0 30"/>'), at: 'name="bx"', path: `${LEG}/geom[bx]`, msg: /not axis-aligned/ },
  { what: 'short cylinder by fromto', xml: robot('<geom name="cy" type="cylinder" size="0.1" fromto="0 0 0 0 0 0.1"/>'), at: 'name="cy"', path: `${LEG}/geom[cy]`, msg: /no longer than its diameter/ },
  { what: 'unknown attribute', xml: robot('<geom name="g" size="0.1" foo="1"/>'), at: 'foo="1"', path: `${LEG}/geom[g]`, msg: /attribute foo="1" of <geom> is not supported/ },
  { what: 'joint stiffness', xml: robot('<body name="b4"><joint name="j4" stiffness="5"/><geom size="0.05"/></body>'), at: 'stiffness', path: `${LEG}/body[b4]/joint[j4]`, msg: /stiffness="5" is not supported/ },
  { what: 'unknown default class', xml: robot('<geom class="nope" size="0.1"/>'), at: 'class="nope"', path: `${LEG}/geom[2]`, msg: /unknown default class "nope"/ },
  { what: 'frame element', xml: robot('<frame pos="0 0 1"/>'), at: '<frame', path: `${LEG}/frame`, msg: /<frame> in <body> is not supported/ },
  { what: 'tendon', xml: robot('', undefined, '<tendon/>'), at: '<tendon', path: 'mujoco/tendon', msg: /<tendon> is not supported/ },
  { what: 'equality', xml: robot('', undefined, '<equality><weld body1="leg"/></equality>'), at: '<equality', path: 'mujoco/equality', msg: /<equality> is not supported/ },
  { what: 'contact pair', xml: robot('', undefined, '<contact><pair geom1="a" geom2="b"/></contact>'), at: '<pair', path: 'mujoco/contact/pair', msg: /collides with the ground only/ },
  { what: 'global coordinates', xml: robot('', undefined, '<compiler coordinate="global"/>'), at: '<compiler', path: 'mujoco/compiler', msg: /only local coordinates/ },
  { what: 'hinge on the root', xml: robot('', undefined, '', '<joint name="r" axis="0 0 1"/>'), at: 'name="r"', path: 'mujoco/worldbody/body[torso]/joint[r]', msg: /root body is free-floating/ },
  { what: 'missing include', xml: robot('', undefined, '<include file="missing.xml"/>'), at: '<include', path: 'mujoco/include', msg: /cannot read included file/ },
  { what: 'option density', xml: robot('', undefined, '<option density="1.2"/>'), at: '<option', path: 'mujoco/option', msg: /attribute density="1.2" of <option>/ },
  { what: 'a second robot', xml: robot('').replace('  </worldbody>', '    <body name="other"><geom size="1"/></body>\n  </worldbody>'), at: 'name="other"', path: 'mujoco/worldbody/body[other]', msg: /one robot/ },
];

test('every refused MJCF element: the error names the file, its line and its element path', () => {
  for (const c of REFUSED) {
    const line = lineOf(c.xml, c.at);
    assert.throws(
      () => importMJCFText(c.xml, join(tmpdir(), 't.xml')),
      (e: Error) => {
        assert.ok(e instanceof SpecError, `${c.what}: ${e.message}`);
        const prefix = `${join(tmpdir(), 't.xml')}:${line}: ${c.path}: `;
        assert.ok(e.message.startsWith(prefix), `${c.what}: expected ${prefix}…, got ${e.message}`);
        assert.match(e.message, c.msg, c.what);
        return true;
      },
      c.what,
    );
  }
});

test('the same robot in every orientation form: quat, euler, axisangle, xyaxes, radians; a joint pos moves the body origin', () => {
  const rotated = (orient: string, compiler = '') => robot('', undefined, compiler).replace('<body name="leg" pos="0.1 0 0">', `<body name="leg" pos="0.1 0 0" ${orient}>`);
  const expected = importMJCFText(rotated('quat="0.7071067811865476 0 0 0.7071067811865476"'), 'q.xml').spec;
  const leg = expected.bodies[1];
  assert.deepEqual(leg.joint!.axis, [-1, 0, 0], 'y rotated 90° about z is −x');
  assert.deepEqual(leg.geoms[0].fromto, [[0, 0, 0], [0, 0.2, 0]]);
  for (const o of ['euler="0 0 90"', 'axisangle="0 0 1 90"', 'xyaxes="0 1 0 -1 0 0"']) assert.deepEqual(importMJCFText(rotated(o), 'e.xml').spec.bodies, expected.bodies, o);
  const inRadians = rotated('euler="0 0 1.5707963267948966"', '<compiler angle="radian"/>').replace('range="-30 30"', 'range="-0.5235987755982988 0.5235987755982988"');
  assert.deepEqual(importMJCFText(inRadians, 'r.xml').spec.bodies, expected.bodies);
  // radians also convert joint ranges
  assert.deepEqual(importMJCFText(robot('', undefined, '<compiler angle="radian"/>').replace('range="-30 30"', 'range="-0.5 0.5"'), 'r.xml').spec.bodies[1].joint!.range.map((x) => +x.toFixed(6)), [-28.647890, 28.647890]);
  // eulerseq: moving axes (xyz) vs fixed axes (XYZ) for 90° about x then 90° about y: local x goes to +y vs −z
  const seq = (s: string) => importMJCFText(rotated('euler="90 90 0"', `<compiler eulerseq="${s}"/>`), 's.xml').spec.bodies[1].geoms[0].fromto;
  assert.deepEqual(seq('xyz'), [[0, 0, 0], [0, 0.2, 0]]);
  assert.deepEqual(seq('XYZ'), [[0, 0, 0], [0, 0, -0.2]]);
  // limited="false" (or autolimits="false" without limited): the range is not used, the hinge gets ±360° and a warning
  const free = importMJCFText(robot('').replace('range="-30 30"', 'range="-30 30" limited="false"'), 'u.xml');
  assert.deepEqual(free.spec.bodies[1].joint!.range, [-360, 360]);
  assert.ok(free.warnings.some((w) => /unlimited hinges get the range ±360°.*: j1$/.test(w)));
  assert.deepEqual(importMJCFText(robot('', '<motor joint="j1" ctrlrange="-1 1" ctrllimited="true"/>', '<compiler autolimits="false"/>'), 'u.xml').spec.bodies[1].joint!.range, [-360, 360]);
  // joint pos: the joint (and so the spec's body origin) sits 0.05 further along x, the geom stays where it was
  const jp = importMJCFText(robot('').replace('<joint name="j1"', '<joint name="j1" pos="0.05 0 0"'), 'p.xml').spec.bodies[1];
  assert.deepEqual(jp.pos, [0.15, 0, 0]);
  assert.deepEqual(jp.geoms[0].fromto, [[-0.05, 0, 0], [0.15, 0, 0]]);
});

test('defaults and childclass, contype/conaffinity, cylinders, inertial mass, actuators, option and include', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikeloco-mjcf-import-'));
  try {
    mkdirSync(join(dir, 'parts'));
    writeFileSync(join(dir, 'parts', 'acts.xml'), '<mujoco>\n  <actuator>\n    <position joint="knee" kp="30" kv="0.5" forcerange="-20 20"/>\n    <motor joint="hip" gear="50" ctrlrange="-2 2" forcerange="-80 80"/>\n  </actuator>\n</mujoco>\n');
    writeFileSync(join(dir, 'parts', 'legs.xml'), '<mujoco>\n  <include file="acts.xml"/>\n</mujoco>\n');
    const xml = `<mujoco model="m">
  <option timestep="0.002" gravity="0 0 -9.81"/>
  <default>
    <geom density="500" friction="0.8"/>
    <default class="leg">
      <joint damping="2" armature="0.5" range="-45 45"/>
      <geom density="700"/>
      <default class="shin"><geom type="cylinder"/></default>
    </default>
  </default>
  <worldbody>
    <body name="base" pos="0 0 0.05">
      <freejoint/>
      <inertial pos="0 0 0" mass="4" diaginertia="1 1 1"/>
      <geom name="chassis" type="box" size="0.2 0.1 0.05"/>
      <geom name="shell" type="sphere" size="0.3" contype="0" conaffinity="0" group="1"/>
      <site name="imu"/>
      <body name="thigh" pos="0.2 0 0" childclass="leg">
        <joint name="hip" axis="0 1 0"/>
        <geom name="thigh_geom" type="capsule" size="0.03 0.1" pos="0 0 -0.1"/>
        <body name="shin" pos="0 0 -0.2">
          <joint name="knee" axis="0 1 0" range="-90 0"/>
          <geom name="shin_geom" class="shin" size="0.02 0.1" pos="0 0 -0.1"/>
        </body>
      </body>
    </body>
  </worldbody>
  <include file="parts/legs.xml"/>
</mujoco>
`;
    writeFileSync(join(dir, 'm.xml'), xml);
    const r = importMJCF(join(dir, 'm.xml'));
    const s = r.spec;
    assert.deepEqual(r.options, { timestep: 0.002, gravity: [0, 0, -9.81] });
    assert.deepEqual([s.density, s.friction], [500, 0.8]);
    const [base, thigh, shin] = [s.bodies.find((b) => b.name === 'base')!, s.bodies.find((b) => b.name === 'thigh')!, s.bodies.find((b) => b.name === 'shin')!];
    // actuator order is the action order: knee first
    assert.deepEqual(s.bodies.map((b) => b.name), ['base', 'shin', 'thigh']);
    assert.deepEqual(base.geoms.map((g) => g.name), ['chassis'], 'the visual shell is no collision geom');
    assert.deepEqual(base.visuals, [{ shape: 'sphere', radius: 0.3 }], 'the visual shell is a visual');
    assert.equal(base.geoms[0].mass, 4, 'inertial mass on the only collision geom');
    assert.deepEqual(thigh.joint, { name: 'hip', axis: [0, 1, 0], range: [-45, 45], gear: 80, damping: 2, armature: 0.5 }, 'gear 50 × ctrl 2 = 100, capped by forcerange 80');
    assert.equal(thigh.geoms[0].density, 700);
    assert.deepEqual(thigh.geoms[0].fromto, [[0, 0, -0.2], [0, 0, 0]]);
    assert.deepEqual(shin.joint, { name: 'knee', axis: [0, 1, 0], range: [-90, 0], gear: 20, damping: 2, armature: 0.5, actuator: { kind: 'position', kp: 30, kv: 0.5 } });
    // the cylinder (r 0.02, half-length 0.1) is a capsule of the same length and mass
    assert.deepEqual(shin.geoms[0].fromto, [[0, 0, -0.18], [0, 0, -0.02]]);
    assert.equal(shin.geoms[0].mass, +(700 * Math.PI * 0.02 ** 2 * 0.2).toPrecision(10));
    // spawn: the lowest point (the shin capsule's end, 0.05 − 0.2 − 0.18 − 0.02 = −0.35) is lifted to 0.01 above the ground
    assert.equal(base.pos[2], 0.41);
    assert.deepEqual(s.feet, ['shin_geom']);
    assert.deepEqual(s.legs, { thigh: ['hip', 'knee'] });
    const w = r.warnings.join('\n');
    for (const k of ['<site>', 'cylinders have no spec shape', 'inertial masses are spread']) assert.ok(w.includes(k), `${k}:\n${w}`);
    // with inertiafromgeom="true" MuJoCo ignores <inertial>: the chassis weighs density × volume
    writeFileSync(join(dir, 'g.xml'), xml.replace('<option', '<compiler inertiafromgeom="true"/>\n  <option'));
    assert.equal(importMJCF(join(dir, 'g.xml')).spec.bodies[0].geoms[0].mass, undefined);
    // loadMorphology takes the path and hands the warnings over
    const said: string[] = [];
    assert.deepEqual(loadMorphology(join(dir, 'm.xml'), (m) => said.push(m)), s);
    assert.equal(said.length, r.warnings.length);
    // an include cycle is refused at the include element
    writeFileSync(join(dir, 'parts', 'acts.xml'), '<mujoco>\n  <include file="legs.xml"/>\n</mujoco>\n');
    assert.throws(() => importMJCF(join(dir, 'm.xml')), (e: Error) => e instanceof SpecError && e.message.startsWith(`${join(dir, 'parts', 'acts.xml')}:2: mujoco/include: include cycle`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
