import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeOutput } from '../../cli/output.js';

test('writeOutput replaces a regular file atomically (no temp file left) and writes devices in place', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikeloco-output-'));
  const path = join(dir, 'out.json');
  writeFileSync(path, 'old');
  writeOutput(path, '{"new":true}');
  assert.equal(readFileSync(path, 'utf8'), '{"new":true}');
  assert.deepEqual(readdirSync(dir), ['out.json'], 'only the target remains');
  // a device stays a device: renaming a temp file over /dev/null would replace it
  writeOutput('/dev/null', 'discarded');
  assert.ok(statSync('/dev/null').isCharacterDevice());
  assert.throws(() => writeOutput('/dev/full', 'x'), /cannot write \/dev\/full \(ENOSPC/);
});
