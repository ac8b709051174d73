/**
 * The browser client's bundle: esbuild bundles viewer/client/main.ts (three.js from
 * node_modules, no CDN) into viewer/public/bundle.js. The server calls `ensureClientBundle`
 * at startup (it builds only when the bundle is missing or older than a client source);
 * `node dist/viewer/server/bundle.js` builds it explicitly (the `build:viewer` script).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest ancestor of this file holding viewer/client/main.ts. */
export function repoRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'viewer', 'client', 'main.ts')) && existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`viewer: cannot find the repository root (a folder with viewer/client/main.ts) above ${from}`);
    dir = up;
  }
}

export function publicDir(root = repoRoot()): string {
  return join(root, 'viewer', 'public');
}

function newestSource(root: string): number {
  const dir = join(root, 'viewer', 'client');
  let t = statSync(join(root, 'viewer', 'protocol.ts')).mtimeMs;
  for (const f of readdirSync(dir)) if (f.endsWith('.ts')) t = Math.max(t, statSync(join(dir, f)).mtimeMs);
  return t;
}

export interface BundleResult {
  path: string;
  built: boolean;
  bytes: number;
  ms: number;
}

/** Build viewer/public/bundle.js if it is missing, stale, or `force` is set. */
export async function ensureClientBundle(opts: { root?: string; force?: boolean; minify?: boolean } = {}): Promise<BundleResult> {
  const root = opts.root ?? repoRoot();
  const out = join(publicDir(root), 'bundle.js');
  const t0 = performance.now();
  if (!opts.force && existsSync(out) && statSync(out).mtimeMs >= newestSource(root)) {
    return { path: out, built: false, bytes: statSync(out).size, ms: 0 };
  }
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [join(root, 'viewer', 'client', 'main.ts')],
    outfile: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    sourcemap: true,
    minify: opts.minify ?? true,
    logLevel: 'warning',
    absWorkingDir: root,
  });
  return { path: out, built: true, bytes: statSync(out).size, ms: performance.now() - t0 };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await ensureClientBundle({ force: true, minify: !process.argv.includes('--no-minify') });
  console.log(`viewer: wrote ${r.path} (${(r.bytes / 1024).toFixed(0)} KiB) in ${r.ms.toFixed(0)} ms`);
}
