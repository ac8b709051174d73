import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AtomicFileWriter, FileWriteError, describeFileError, removeStaleTempFiles, tempPathFor, writeBytesAtomic, writeFileAtomic } from '../../core/atomic.js';
import { UserError } from '../../core/errors.js';

const root = mkdtempSync(join(tmpdir(), 'spikeloco-atomic-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));
const ATOMIC = fileURLToPath(new URL('../../core/atomic.js', import.meta.url));

test('text and binary writes land whole and leave no temp file', () => {
  const dir = join(root, 'ok');
  writeFileAtomic(join(dir, 'a.txt'), 'first\n');
  writeFileAtomic(join(dir, 'a.txt'), 'second, longer\n');
  writeBytesAtomic(join(dir, 'b.bin'), Uint8Array.from([0, 255, 7]));
  assert.equal(readFileSync(join(dir, 'a.txt'), 'utf8'), 'second, longer\n');
  assert.deepEqual([...readFileSync(join(dir, 'b.bin'))], [0, 255, 7]);
  assert.deepEqual(readdirSync(dir).sort(), ['a.txt', 'b.bin']);
});

test('a target that is a directory: UserError naming the path, nothing else changed, no temp file', () => {
  const dir = join(root, 'isdir');
  mkdirSync(join(dir, 'target'), { recursive: true });
  writeFileSync(join(dir, 'target', 'inside'), 'keep');
  assert.throws(
    () => writeFileAtomic(join(dir, 'target'), 'x'),
    (e: unknown) => e instanceof FileWriteError && e instanceof UserError && e.message.includes(join(dir, 'target')) && /directory/.test(e.message) && !e.message.includes('\n'),
  );
  assert.equal(readFileSync(join(dir, 'target', 'inside'), 'utf8'), 'keep');
  assert.deepEqual(readdirSync(dir), ['target']);
});

test('a failed write (temp file cannot be created) leaves the old file intact', () => {
  const dir = join(root, 'blocked');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'best.json');
  writeFileAtomic(path, 'old');
  mkdirSync(tempPathFor(path)); // something in the temp file's way
  assert.throws(() => writeFileAtomic(path, 'new'), (e: unknown) => e instanceof FileWriteError && e.path === path && e.message.includes(path) && /unchanged/.test(e.message));
  assert.equal(readFileSync(path, 'utf8'), 'old');
  rmSync(tempPathFor(path), { recursive: true });
  // and a failure just before the rename (the test seam) removes the temp file
  assert.throws(() => writeFileAtomic(path, 'new', { beforeRename: () => { throw Object.assign(new Error('boom'), { code: 'ENOSPC' }); } }), /no space left on the device \(ENOSPC\); free some space/);
  assert.equal(readFileSync(path, 'utf8'), 'old');
  assert.deepEqual(readdirSync(dir), ['best.json']);
});

test('EACCES in a directory the process may not write: a readable UserError, old file intact', (t) => {
  const dir = join(root, 'readonly');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'log.csv');
  writeFileAtomic(path, 'old');
  const script = `import(${JSON.stringify(ATOMIC)}).then((m) => { try { m.writeFileAtomic(${JSON.stringify(path)}, 'new'); console.log('WROTE'); } catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })); } });`;
  let r;
  if (process.getuid?.() === 0) {
    // root may write anywhere: drop to nobody for the attempt (the directory stays root's, 0755)
    chmodSync(root, 0o755);
    chmodSync(dir, 0o755);
    r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { uid: 65534, gid: 65534, encoding: 'utf8' });
  } else {
    chmodSync(dir, 0o555);
    r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    chmodSync(dir, 0o755);
  }
  if (r.error || /Cannot find module|EACCES.*atomic\.js/.test(r.stderr)) {
    t.skip(`cannot run a child without write permission here: ${r.error?.message ?? r.stderr.split('\n')[0]}`);
    return;
  }
  const out = JSON.parse(r.stdout.trim()) as { name: string; code: string; message: string };
  assert.equal(out.name, 'FileWriteError');
  assert.equal(out.code, 'EACCES');
  assert.match(out.message, new RegExp(`cannot write ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: permission denied \\(EACCES\\); choose a writable location`));
  assert.equal(readFileSync(path, 'utf8'), 'old');
  assert.deepEqual(readdirSync(dir), ['log.csv']);
});

test('file errors are described in words', () => {
  assert.deepEqual(describeFileError(Object.assign(new Error('x'), { code: 'ENOSPC' })), { code: 'ENOSPC', reason: 'no space left on the device (ENOSPC)', advice: 'free some space or write elsewhere' });
  assert.equal(describeFileError(new Error('odd')).reason, 'odd');
});

test('the streaming writer publishes only on commit; abort keeps the previous file', () => {
  const dir = join(root, 'stream');
  const path = join(dir, 'run.slrec');
  const w = new AtomicFileWriter(path);
  w.write(Buffer.from('abcdef'));
  w.write(Buffer.from('XY'), 0, 2, 1); // rewrite bytes already written
  assert.ok(!existsSync(path), 'nothing at the path before commit');
  w.commit();
  assert.equal(readFileSync(path, 'utf8'), 'aXYdef');
  const w2 = new AtomicFileWriter(path);
  w2.write(Buffer.from('half'));
  w2.abort();
  assert.equal(readFileSync(path, 'utf8'), 'aXYdef');
  assert.deepEqual(readdirSync(dir), ['run.slrec']);
});

test('stale temp files of dead processes are removed; live writers and other files are kept', async () => {
  const dir = join(root, 'stale');
  mkdirSync(dir, { recursive: true });
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  try {
    writeFileSync(join(dir, `checkpoint.json.tmp-${dead}`), 'torn');
    writeFileSync(join(dir, `best.json.tmp-${dead}`), 'torn');
    writeFileSync(join(dir, `log.csv.tmp-${live.pid}`), 'in progress elsewhere');
    writeFileSync(join(dir, `old.json.tmp-${process.pid}`), 'ours, from an earlier process with the same pid');
    writeFileSync(join(dir, 'notes.tmp-txt'), 'not a temp file');
    const open = new AtomicFileWriter(join(dir, 'open.json')); // ours, being written now
    const removed = removeStaleTempFiles(dir).sort();
    assert.deepEqual(removed, [`best.json.tmp-${dead}`, `checkpoint.json.tmp-${dead}`, `old.json.tmp-${process.pid}`].sort());
    assert.deepEqual(readdirSync(dir).sort(), [`log.csv.tmp-${live.pid}`, 'notes.tmp-txt', `open.json.tmp-${process.pid}`].sort());
    open.abort();
  } finally {
    live.kill();
  }
  assert.deepEqual(removeStaleTempFiles(join(root, 'no-such-dir')), []);
});
