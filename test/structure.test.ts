/**
 * The folder graph of the sources (issue #12): imports go one way, no two folders import each
 * other, and one module steps episodes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCE_FOLDERS = ['core', 'morphologies', 'sim', 'controllers', 'training', 'experiments', 'viewer', 'cli'];

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const p = join(dir, name);
    if (name === 'public' || name === 'node_modules') return [];
    if (statSync(join(ROOT, p)).isDirectory()) return sources(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

/** The node a file belongs to: its top folder, with training/bptt and viewer/client their own. */
function nodeOf(file: string): string {
  if (file.startsWith('training/bptt/')) return 'training/bptt';
  if (file.startsWith('viewer/client/')) return 'viewer/client';
  return file.split('/')[0];
}

function edges(): Map<string, Set<string>> {
  const g = new Map<string, Set<string>>();
  for (const folder of SOURCE_FOLDERS) {
    for (const file of sources(folder)) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const m of text.matchAll(/(?:from|import\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const target = normalize(join(dirname(file), m[1]));
        const a = nodeOf(file), b = nodeOf(relative('.', target));
        if (a === b || !SOURCE_FOLDERS.includes(b.split('/')[0])) continue;
        if (!g.has(a)) g.set(a, new Set());
        g.get(a)!.add(b);
      }
    }
  }
  return g;
}

test('no two source folders import each other, and the layers import only downward', () => {
  const g = edges();
  const cycles: string[] = [];
  for (const [a, bs] of g) for (const b of bs) if (g.get(b)?.has(a) && a < b) cycles.push(`${a} ⇄ ${b}`);
  assert.deepEqual(cycles, []);
  const allowed: Record<string, string[]> = {
    core: [],
    morphologies: ['core'],
    controllers: ['core'],
    sim: ['core', 'morphologies'],
    training: ['core', 'morphologies', 'sim', 'controllers'],
    'training/bptt': ['core', 'controllers', 'training'],
    experiments: ['core', 'morphologies', 'sim', 'controllers', 'training', 'training/bptt'],
  };
  for (const [node, may] of Object.entries(allowed)) {
    const extra = [...(g.get(node) ?? [])].filter((b) => !may.includes(b));
    assert.deepEqual(extra, [], `${node} imports ${extra.join(', ')}`);
  }
  assert.ok(g.get('cli')?.has('experiments') && g.get('training')?.has('sim'), 'the graph was read');
});

test('one module steps episodes: env.step( only in sim/ and training/episode.ts', () => {
  const offenders = SOURCE_FOLDERS.filter((f) => f !== 'sim')
    .flatMap(sources)
    .filter((f) => f !== 'training/episode.ts' && /\benv\.step\(/.test(readFileSync(join(ROOT, f), 'utf8')));
  assert.deepEqual(offenders, []);
});
