import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boxVolume, capsuleVolume, geomMass, geomVolume, segmentLength, sphereVolume } from '../../morphologies/mass.js';

const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

test('volumes: unit sphere, capsule as cylinder + sphere, box from half extents', () => {
  close(sphereVolume(1), 4.18879020478639);
  close(capsuleVolume(0.5, 2), Math.PI * 0.25 * 2 + (4 / 3) * Math.PI * 0.125);
  close(capsuleVolume(0.3, 0), sphereVolume(0.3));
  close(boxVolume([0.5, 1, 1.5]), 6);
  close(segmentLength([[1, 2, 3], [4, 6, 3]]), 5);
});

test('geom mass: explicit mass wins, then own density, then the default', () => {
  const g = { name: 'g', shape: 'box' as const, halfExtents: [0.5, 0.5, 0.5] as [number, number, number] };
  close(geomMass(g, 5), 5);
  close(geomMass({ ...g, density: 2 }, 5), 2);
  close(geomMass({ ...g, density: 2, mass: 7 }, 5), 7);
  close(geomVolume({ name: 'c', shape: 'capsule', radius: 0.1, fromto: [[0, 0, 0], [0, 0, 1]] }), Math.PI * 0.01 + sphereVolume(0.1));
  assert.throws(() => geomVolume({ name: 's', shape: 'sphere' }), /geom s: a sphere needs radius/);
});
