/**
 * The one durable, atomic way this project writes a whole file.
 *
 *   1. write the bytes to a temp file beside the target, `<path>.tmp-<pid>`
 *   2. fsync the temp file (its bytes are on the disk)
 *   3. rename it over the target (atomic on POSIX: a reader sees the old file or the new one)
 *   4. fsync the directory (the rename itself survives a power cut; best effort where an OS
 *      cannot open directories)
 *
 * On any failure the temp file is removed, the previous file at `path` is untouched, and a
 * `FileWriteError` (a `UserError`) names the path and says in words what went wrong (EACCES,
 * ENOSPC, …). A process killed between 1 and 3 leaves a `*.tmp-<pid>` behind;
 * `removeStaleTempFiles` clears those whose process is gone.
 *
 * `AtomicFileWriter` is the streaming form (for recordings): chunks go to the temp file and
 * `commit()` does steps 2–4.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from './errors.js';

/** A file that could not be written, read for writing, or created; the message is one readable line. */
export class FileWriteError extends UserError {
  constructor(
    readonly path: string,
    readonly code: string | undefined,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'FileWriteError';
  }
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EISDIR: 'the target is a directory',
  ENOTDIR: 'a parent of it is not a directory',
  ENOENT: 'its directory does not exist',
  EEXIST: 'a file of that name is in the way',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the name is too long',
  EIO: 'an input/output error of the device',
};

const ADVICE: Record<string, string> = {
  EACCES: 'choose a writable location or fix its permissions',
  EPERM: 'choose a writable location or fix its permissions',
  ENOSPC: 'free some space or write elsewhere',
  EDQUOT: 'free some space or write elsewhere',
  EROFS: 'write to a writable file system',
  EISDIR: 'remove or rename that directory, or choose another file name',
  ENOTDIR: 'choose a path whose parents are directories',
};

/**
 * In words: reason "permission denied (EACCES)" and advice "choose a writable location …" for a
 * Node file-system error; its message and no advice otherwise.
 */
export function describeFileError(e: unknown): { code: string | undefined; reason: string; advice: string } {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  const advice = (code && ADVICE[code]) || '';
  if (code && REASONS[code]) return { code, reason: `${REASONS[code]} (${code})`, advice };
  return { code, reason: e instanceof Error ? e.message : String(e), advice };
}

/** A `FileWriteError` for a failed `action` ("cannot write", "cannot create directory") on `path`. */
export function fileWriteError(path: string, e: unknown, action = 'cannot write', tail = ''): FileWriteError {
  if (e instanceof FileWriteError) return e;
  const { code, reason, advice } = describeFileError(e);
  return new FileWriteError(path, code, `${action} ${path}: ${reason}${advice ? `; ${advice}` : ''}${tail}`, { cause: e });
}

export interface AtomicWriteOptions {
  /** Test seam: called after the temp file is written and synced, before the rename. */
  beforeRename?: (tmpPath: string) => void;
}

/** Temp files this process is writing right now (never stale, whatever their pid says). */
const openTemps = new Set<string>();

/** The temp file name the writer uses for `path` in this process. */
export function tempPathFor(path: string, pid = process.pid): string {
  return `${path}.tmp-${pid}`;
}

/** Write `data` (text as UTF-8, or bytes) to `path` atomically and durably (see the file comment). */
export function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const w = new AtomicFileWriter(path);
  try {
    w.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    w.commit(options);
  } finally {
    w.abort();
  }
}

/** Binary variant, for symmetry with text callers that want the intent spelled out. */
export function writeBytesAtomic(path: string, bytes: Uint8Array, options: AtomicWriteOptions = {}): void {
  writeFileAtomic(path, bytes, options);
}

/**
 * A file written in pieces and published atomically: nothing appears at `path` until `commit()`,
 * and `abort()` (or a crash) leaves the previous file there untouched.
 */
export class AtomicFileWriter {
  readonly tmpPath: string;
  private fd: number | undefined;
  private done = false;

  constructor(readonly path: string) {
    this.tmpPath = tempPathFor(path);
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.fd = openSync(this.tmpPath, 'w', 0o644);
      openTemps.add(resolve(this.tmpPath));
    } catch (e) {
      throw fileWriteError(path, e, 'cannot write', '; any previous file there is unchanged');
    }
  }

  /** Append bytes (at `position` if given: rewriting bytes already written). */
  write(bytes: Uint8Array, offset = 0, length = bytes.length - offset, position?: number): void {
    if (this.fd === undefined) throw new Error(`AtomicFileWriter ${this.path}: already committed or aborted`);
    try {
      let done = 0;
      while (done < length) {
        done += writeSync(this.fd, bytes, offset + done, length - done, position === undefined ? null : position + done);
      }
    } catch (e) {
      this.abort();
      throw fileWriteError(this.path, e, 'cannot write', '; any previous file there is unchanged');
    }
  }

  /** fsync, rename over the target, fsync the directory. */
  commit(options: AtomicWriteOptions = {}): void {
    if (this.fd === undefined) throw new Error(`AtomicFileWriter ${this.path}: already committed or aborted`);
    try {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = undefined;
      options.beforeRename?.(this.tmpPath);
      renameSync(this.tmpPath, this.path);
      this.done = true;
      openTemps.delete(resolve(this.tmpPath));
    } catch (e) {
      this.abort();
      throw fileWriteError(this.path, e, 'cannot write', '; any previous file there is unchanged');
    }
    syncDirectory(dirname(this.path));
  }

  /** Drop the temp file (no-op after a commit). */
  abort(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        /* already failing; the original error is the one to report */
      }
      this.fd = undefined;
    }
    if (!this.done) {
      this.done = true;
      rmSync(this.tmpPath, { force: true });
      openTemps.delete(resolve(this.tmpPath));
    }
  }
}

/** fsync a directory so a rename in it is durable (best effort: not every OS allows it). */
export function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* e.g. Windows cannot open directories; the rename is still atomic */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Whether a process with this id exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const TEMP_NAME = /\.tmp-(\d+)$/;

/**
 * Remove temp files the atomic writer left in `dir` when its process was killed mid-write:
 * `*.tmp-<pid>` whose pid is no live process, or is this process's own but not a write in
 * progress here (pids are reused, often within minutes in a container). Returns the names removed.
 */
export function removeStaleTempFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    const path = join(dir, name);
    if (pid === process.pid ? openTemps.has(resolve(path)) : processAlive(pid)) continue;
    rmSync(path, { force: true });
    removed.push(name);
  }
  return removed;
}
