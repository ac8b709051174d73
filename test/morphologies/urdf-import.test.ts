import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importURDF, importURDFText } from '../../morphologies/import/urdf.js';
import { MODELS_DIR, loadMorphology } from '../../morphologies/index.js';
import { SpecError } from '../../morphologies/spec-error.js';
import { bodyMass, totalMass } from '../../morphologies/mass.js';
import { actuatedJoints } from '../../morphologies/spec.js';
import { SPAWN_CLEARANCE } from '../../morphologies/import/assemble.js';

const QUADRUPED = join(MODELS_DIR, 'quadruped12.urdf');

test('quadruped12.urdf: 13 bodies, 12 joints with Go2-class torque limits, 15.02 kg, foot spheres as feet, knees clamped once', () => {
  const r = importURDF(QUADRUPED);
  const s = r.spec;
  assert.equal(s.bodies.length, 13, 'trunk + 4 × (hip, thigh, calf); the feet are welded into the calves');
  const joints = actuatedJoints(s);
  assert.equal(joints.length, 12);
  assert.deepEqual(joints.map((j) => j.joint.gear), [23.7, 23.7, 45.43, 23.7, 23.7, 45.43, 23.7, 23.7, 45.43, 23.7, 23.7, 45.43]);
  assert.ok(Math.abs(totalMass(s) - 15.017) < 1e-9, `${totalMass(s)}`);
  assert.equal(bodyMass(s.bodies.find((b) => b.name === 'FL_calf')!, s.density), 0.194, 'calf 0.154 + foot 0.04');
  assert.deepEqual(s.feet, ['FL_foot_collision', 'FR_foot_collision', 'RL_foot_collision', 'RR_foot_collision']);
  assert.deepEqual(s.legs.FL_hip, ['FL_hip_joint', 'FL_thigh_joint', 'FL_calf_joint']);
  // the knee range −156..−48° excludes the straight rest pose: clamped to −48°, the spec's range shifted by +48°
  const calf = s.bodies.find((b) => b.name === 'FL_calf')!;
  assert.deepEqual(calf.joint!.range.map((x) => +x.toFixed(2)), [-108, 0]);
  const clampWarnings = r.warnings.filter((w) => w.includes('outside the limits'));
  assert.equal(clampWarnings.length, 1);
  assert.match(clampWarnings[0], /4 joint\(s\).*FL_calf_joint → -48/);
  // the foot sphere moved forward with the bent knee: x = 0.213 sin 48°, z = −0.213 cos 48°
  const foot = calf.geoms.find((g) => g.name === 'FL_foot_collision')!;
  assert.ok(Math.abs(foot.pos![0] - 0.213 * Math.sin((48.00011224 * Math.PI) / 180)) < 1e-9);
  // the thigh box, rotated 90° about y in the URDF, is axis-aligned with its long side along z
  assert.deepEqual(s.bodies.find((b) => b.name === 'FL_thigh')!.geoms[0].halfExtents, [0.017, 0.01225, 0.1065]);
  // spawn: the feet's lowest point is SPAWN_CLEARANCE above the ground
  const trunkZ = s.bodies[0].pos[2];
  const footBottom = trunkZ + 0 + 0 - 0.213 + calf.geoms[1].pos![2] - 0.022;
  assert.ok(Math.abs(footBottom - SPAWN_CLEARANCE) < 1e-9, `${footBottom}`);
  // by name and by path, with the shipped sidecar (quadruped12.urdf.spikeloco.json): every joint a
  // PD servo, armature 0.03, a standing home pose (hip 0, thigh 0.8 rad, calf −1.5 rad), healthyZ
  const shipped = loadMorphology('quadruped12');
  assert.deepEqual(loadMorphology(QUADRUPED), shipped);
  assert.ok(actuatedJoints(shipped).every((j) => j.joint.actuator?.kind === 'position' && j.joint.actuator.kp === 60 && j.joint.actuator.kv === 2 && j.joint.armature === 0.03));
  const deg = (rad: number) => (rad * 180) / Math.PI;
  const home = Object.fromEntries(actuatedJoints(shipped).map((j) => [j.joint.name, j.joint.home]));
  assert.equal(home.FL_hip_joint, 0);
  assert.ok(Math.abs(home.RR_thigh_joint! - deg(0.8)) < 1e-8, `${home.RR_thigh_joint}`);
  // the calf's spec angle is the URDF angle minus the clamped rest angle (−48°)
  assert.ok(Math.abs(home.FL_calf_joint! - (deg(-1.5) + 48.00011224)) < 1e-7, `${home.FL_calf_joint}`);
  assert.deepEqual(shipped.healthyZ, [0.2, 0.6]);
  // spawned in the crouch, the trunk is lower than in the knees-at-−48° rest pose
  assert.ok(shipped.bodies[0].pos[2] < trunkZ - 0.03 && shipped.bodies[0].pos[2] > 0.3, `${shipped.bodies[0].pos[2]} vs ${trunkZ}`);
  const strip = (spec: typeof s) => ({ ...spec, healthyZ: s.healthyZ, bodies: spec.bodies.map((b) => (b.joint ? { ...b, joint: (({ actuator: _a, home: _h, ...rest }) => ({ ...rest, armature: 0 }))(b.joint) } : { ...b, pos: [0, 0, 0] })) });
  assert.deepEqual(strip(shipped), strip(s), 'the sidecar changes the actuators, armature, home angles, healthyZ and spawn height only');
});

const urdf = (legExtra = '', jointExtra = '', top = '') => `<?xml version="1.0"?>
<robot name="r">
  ${top}
  <link name="base">
    <inertial><mass value="2"/></inertial>
    <collision><geometry><box size="0.4 0.2 0.1"/></geometry></collision>
  </link>
  <joint name="hip" type="revolute">
    <parent link="base"/>
    <child link="leg"/>
    <origin xyz="0.2 0 0"/>
    <axis xyz="0 1 0"/>
    <limit lower="-0.5" upper="0.5" effort="10"/>
    ${jointExtra}
  </joint>
  <link name="leg">
    <inertial><mass value="0.5"/></inertial>
    <collision><origin xyz="0 0 -0.1"/><geometry><cylinder radius="0.02" length="0.2"/></geometry></collision>
    ${legExtra}
  </link>
</robot>
`;

test('fixed joints merge into the parent with composed transforms and added masses; dynamics damping; sidecar feet and actuator', () => {
  const xml = urdf('', '<dynamics damping="0.3"/>').replace('</robot>', `  <joint name="weld" type="fixed">
    <parent link="leg"/>
    <child link="toe"/>
    <origin xyz="0 0 -0.2" rpy="0 0 1.5707963267948966"/>
  </joint>
  <link name="toe">
    <inertial><mass value="0.1"/></inertial>
    <collision><origin xyz="0.05 0 0"/><geometry><sphere radius="0.03"/></geometry></collision>
  </link>
</robot>`);
  const s = importURDFText(xml, 'r.urdf').spec;
  assert.equal(s.bodies.length, 2);
  const leg = s.bodies[1];
  assert.deepEqual(leg.joint, { name: 'hip', axis: [0, 1, 0], range: [-28.64788976, 28.64788976], gear: 10, damping: 0.3, armature: 0 });
  // the toe sphere at x 0.05 in a frame yawed 90°: (0, 0.05, −0.2) in the leg's frame
  assert.deepEqual(leg.geoms[1], { name: 'toe_collision', shape: 'sphere', radius: 0.03, pos: [0, 0.05, -0.2], mass: 0.1 });
  assert.equal(bodyMass(leg, s.density), 0.6);
  assert.deepEqual(s.feet, ['toe_collision']);
  // a sidecar-style override names the feet by link and drives joints by position
  const o = importURDFText(xml, 'r.urdf', { feet: ['leg'], actuator: { kind: 'position', kp: 20, kv: 0.5 }, armature: 0.01, healthyZ: [0.05, 1] }).spec;
  assert.deepEqual(o.feet, ['toe_collision'], 'a link name picks its lowest geom');
  assert.deepEqual(o.bodies[1].joint!.actuator, { kind: 'position', kp: 20, kv: 0.5 });
  assert.equal(o.bodies[1].joint!.armature, 0.01);
  assert.deepEqual(o.healthyZ, [0.05, 1]);
  assert.throws(() => importURDFText(xml, 'r.urdf', { feet: ['paw'] }), (e: Error) => e instanceof SpecError && e.message.startsWith('r.urdf: feet: "paw" names no body'));
});

test('a sidecar <file>.spikeloco.json is read by loadMorphology; unknown sidecar fields are refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikeloco-urdf-'));
  try {
    const f = join(dir, 'r.urdf');
    writeFileSync(f, urdf());
    assert.equal(loadMorphology(f).bodies[1].joint!.actuator, undefined);
    writeFileSync(`${f}.spikeloco.json`, JSON.stringify({ actuator: { kind: 'position', kp: 5, kv: 0.1 }, name: 'mine' }));
    const s = loadMorphology(f);
    assert.equal(s.name, 'mine');
    assert.deepEqual(s.bodies[1].joint!.actuator, { kind: 'position', kp: 5, kv: 0.1 });
    writeFileSync(`${f}.spikeloco.json`, JSON.stringify({ foot: ['leg'] }));
    assert.throws(() => loadMorphology(f), (e: Error) => e instanceof SpecError && e.message.startsWith(`${f}.spikeloco.json: foot: unknown field`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const lineOf = (text: string, needle: string): number => {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, needle);
  return text.slice(0, i).split('\n').length;
};

const REFUSED: { what: string; xml: string; at: string; path: string; msg: RegExp }[] = [
  { what: 'prismatic joint', xml: urdf().replace('type="revolute"', 'type="prismatic"'), at: 'type="prismatic"', path: 'robot[r]/joint[hip]', msg: /joint type "prismatic" is not supported/ },
  { what: 'floating joint', xml: urdf().replace('type="revolute"', 'type="floating"'), at: 'type="floating"', path: 'robot[r]/joint[hip]', msg: /"floating"/ },
  { what: 'planar joint', xml: urdf().replace('type="revolute"', 'type="planar"'), at: 'type="planar"', path: 'robot[r]/joint[hip]', msg: /"planar"/ },
  { what: 'mimic', xml: urdf('', '<mimic joint="x"/>'), at: '<mimic', path: 'robot[r]/joint[hip]/mimic', msg: /<mimic> joints are not supported/ },
  { what: 'a mesh in a package not found', xml: urdf('<collision><geometry><mesh filename="package://r/calf.stl"/></geometry></collision>'), at: '<mesh', path: 'robot[r]/link[leg]/collision[2]/geometry/mesh', msg: /mesh "package:\/\/r\/calf\.stl" not found: package "r" is looked for/ },
  { what: 'a .dae visual mesh', xml: urdf('<visual><geometry><mesh filename="leg.dae"/></geometry></visual>'), at: '<mesh', path: 'robot[r]/link[leg]/visual/geometry/mesh', msg: /only \.stl and \.obj files are supported/ },
  { what: 'missing effort', xml: urdf().replace(' effort="10"', ''), at: '<limit', path: 'robot[r]/joint[hip]/limit', msg: /needs <limit effort/ },
  { what: 'joint friction', xml: urdf('', '<dynamics damping="0" friction="0.2"/>'), at: '<dynamics', path: 'robot[r]/joint[hip]/dynamics', msg: /joint friction is not supported/ },
  { what: 'revolute without limit', xml: urdf().replace(/<limit[^>]*>/, ''), at: '<joint name="hip"', path: 'robot[r]/joint[hip]', msg: /needs <limit lower upper effort>/ },
  { what: 'a second parent', xml: urdf().replace('</robot>', '<link name="b2"><collision><geometry><sphere radius="0.1"/></geometry></collision></link>\n<joint name="again" type="fixed"><parent link="b2"/><child link="leg"/></joint>\n</robot>'), at: 'name="again"', path: 'robot[r]/joint[again]', msg: /already has a parent/ },
  { what: 'unknown link', xml: urdf().replace('<child link="leg"/>', '<child link="nope"/>'), at: '<joint name="hip"', path: 'robot[r]/joint[hip]', msg: /unknown link "nope"/ },
  { what: 'unknown element', xml: urdf('', '', '<sensor name="imu"/>'), at: '<sensor', path: 'robot[r]/sensor[imu]', msg: /<sensor> is not supported/ },
  { what: 'unknown geometry', xml: urdf('<collision><geometry><cone radius="1"/></geometry></collision>'), at: '<cone', path: 'robot[r]/link[leg]/collision[2]/geometry/cone', msg: /<cone> geometry is not supported/ },
  { what: 'box not axis-aligned', xml: urdf('<collision><origin rpy="0 0.3 0"/><geometry><box size="0.1 0.1 0.1"/></geometry></collision>'), at: '<box size="0.1 0.1 0.1"', path: 'robot[r]/link[leg]/collision[2]/geometry/box', msg: /not axis-aligned/ },
  { what: 'unknown attribute', xml: urdf().replace('<axis xyz="0 1 0"/>', '<axis xyz="0 1 0" scale="2"/>'), at: '<axis', path: 'robot[r]/joint[hip]/axis', msg: /attribute scale="2" of <axis> is not supported/ },
];

test('every refused URDF element: the error names the file, its line and its element path', () => {
  for (const c of REFUSED) {
    const line = lineOf(c.xml, c.at);
    assert.throws(
      () => importURDFText(c.xml, 'r.urdf'),
      (e: Error) => {
        assert.ok(e instanceof SpecError, `${c.what}: ${e.message}`);
        const prefix = `r.urdf:${line}: ${c.path}: `;
        assert.ok(e.message.startsWith(prefix), `${c.what}: expected ${prefix}…, got ${e.message}`);
        assert.match(e.message, c.msg, c.what);
        return true;
      },
      c.what,
    );
  }
  // a cycle leaves no root link
  const cyc = urdf().replace('</robot>', '<joint name="back" type="fixed"><parent link="leg"/><child link="base"/></joint>\n</robot>');
  assert.throws(() => importURDFText(cyc, 'r.urdf'), (e: Error) => e instanceof SpecError && /r\.urdf: \(robot\): no root link/.test(e.message));
});

test('a shapeless root named world, fixed to the robot, is dropped: the robot floats', () => {
  const xml = urdf().replace('<link name="base">', '<link name="world"/>\n  <joint name="w" type="fixed"><parent link="world"/><child link="base"/><origin xyz="0 0 2"/></joint>\n  <link name="base">');
  const r = importURDFText(xml, 'r.urdf');
  assert.equal(r.spec.bodies[0].name, 'base');
  assert.equal(r.spec.bodies[0].parent, null);
  assert.deepEqual(r.spec, importURDFText(urdf(), 'r.urdf').spec, 'placed by the spawn rule, not by the world joint');
  assert.ok(r.warnings.some((w) => w.includes('"world"')));
});

test('visuals become body visuals with their named or inline colours; transmission and gazebo are ignored with one warning each; continuous joints get ±360°', () => {
  const xml = urdf(
    '<visual><origin xyz="0 0 0.1"/><geometry><cylinder radius="0.02" length="0.3"/></geometry><material name="grey"/></visual><visual><geometry><box size="1 1 1"/></geometry><material name="x"><color rgba="1 0 0 1"/></material></visual>',
    '',
    '<material name="grey"><color rgba="0.5 0.5 0.5 1"/></material><transmission name="t"/><gazebo/>',
  ).replace('type="revolute"', 'type="continuous"');
  const r = importURDFText(xml, 'r.urdf');
  assert.deepEqual(r.spec.bodies[1].joint!.range, [-360, 360]);
  assert.deepEqual(r.spec.bodies[1].visuals, [
    { shape: 'cylinder', radius: 0.02, length: 0.3, rgba: [0.5, 0.5, 0.5, 1], pos: [0, 0, 0.1] },
    { shape: 'box', halfExtents: [0.5, 0.5, 0.5], rgba: [1, 0, 0, 1] },
  ]);
  const w = r.warnings.join('\n');
  for (const k of ['<transmission>', '<gazebo>', 'continuous joints get the range ±360°']) assert.ok(w.includes(k), `${k}:\n${w}`);
});
