/**
 * Files a command writes on request (--json, --svg, --out): an error names the path, so
 * `/dev/full` or a full disk reads "out.json: no space left on the device…", not "write: …".
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { writeFileAtomic } from '../core/atomic.js';
import { UserError } from '../core/errors.js';

/**
 * Write a result file atomically and durably (core/atomic.ts). A path that already names
 * something other than a regular file (`/dev/stdout`, a pipe, `/dev/full`) is written in
 * place: renaming a temp file over a device would replace the device.
 */
export function writeOutput(path: string, data: string): void {
  let special = false;
  try {
    special = !statSync(path).isFile();
  } catch {
    special = false; // does not exist yet
  }
  if (!special) return writeFileAtomic(path, data);
  try {
    writeFileSync(path, data);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (!err.code) throw e;
    throw new UserError(`cannot write ${path} (${err.code}: ${err.message.replace(/^[A-Z]+: /, '').split(',')[0]}); choose another path or free some space`, { cause: e });
  }
}

export function makeOutputDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (!err.code) throw e;
    throw new UserError(`cannot create the directory ${dir} (${err.code}); choose another path`, { cause: e });
  }
}
