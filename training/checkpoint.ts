/**
 * Versioned, self-describing, atomically written checkpoint files.
 *
 * File layout (UTF-8 text):
 *
 *   line 1   header: {"format":"spikeloco-checkpoint","version":1,"kind":"…","created":"ISO-8601",
 *                     "payloadBytes":N,"sha256":"<hex of the N payload bytes>"}
 *   line 2…  payload: N bytes of JSON (indented, readable), then one "\n"
 *
 * The payload is any plain data. Typed arrays are stored exactly as
 * {"$typed":"Float32Array","base64":"<little-endian bytes>"} (plus a readable "values" copy for
 * arrays up to `readableLimit` elements, ignored on read); non-finite numbers and −0 as
 * {"$number":"NaN"|"Infinity"|"-Infinity"|"-0"}. So a round trip is bit-exact.
 *
 * Writing goes through `core/atomic.ts` (`<path>.tmp-<pid>`, fsync, rename over `path`, fsync
 * of the directory), so a reader sees the old file or the new one, never a mixture. Reading checks
 * format name, version, length, SHA-256, JSON and kind before returning anything, and throws a
 * `CheckpointError` naming the file and the problem otherwise.
 */
import { UserError } from '../core/errors.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { FileWriteError, describeFileError, writeFileAtomic } from '../core/atomic.js';
import { validate, type Schema } from '../core/schema.js';
import { decodeTyped, encodeTyped, typedName, type TypedName } from '../core/codec.js';

export const CHECKPOINT_FORMAT = 'spikeloco-checkpoint';
export const CHECKPOINT_VERSION = 1;

export interface CheckpointHeader {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  /** What the payload is, e.g. 'es-run', 'bptt-rule'. */
  kind: string;
  /** ISO-8601 time of writing. */
  created: string;
  payloadBytes: number;
  /** SHA-256 of the payload bytes, lowercase hex. */
  sha256: string;
}

export interface Checkpoint<T> {
  header: CheckpointHeader;
  data: T;
}

export type CheckpointProblem = 'unreadable' | 'foreign' | 'version' | 'truncated' | 'corrupt' | 'kind' | 'unserialisable' | 'write';

export class CheckpointError extends UserError {
  constructor(
    readonly file: string,
    readonly problem: CheckpointProblem,
    detail: string,
  ) {
    super(`checkpoint ${file}: ${detail}`);
    this.name = 'CheckpointError';
  }
}

export interface WriteCheckpointOptions {
  /** Time stamp for the header (default now). */
  created?: Date;
  /** Typed arrays up to this many elements also get a readable "values" list (default 4096). */
  readableLimit?: number;
  /** Test seam: called after the temp file is written and synced, before the rename. */
  beforeRename?: (tmpPath: string) => void;
}

// ---- encoding ---------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function encodeValue(v: unknown, path: string, readableLimit: number): Json | undefined {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return { $number: 'NaN' };
    if (v === Infinity) return { $number: 'Infinity' };
    if (v === -Infinity) return { $number: '-Infinity' };
    if (Object.is(v, -0)) return { $number: '-0' };
    return v;
  }
  if (v === undefined) return undefined;
  const tn = typedName(v);
  if (tn) {
    const a = v as Float32Array;
    const out: { [k: string]: Json } = { $typed: tn, base64: encodeTyped(a) };
    if (a.length <= readableLimit) {
      // readable copy for humans and other tools; finite values print exactly, others as null
      out.values = Array.from(a, (x) => (Number.isFinite(x) ? x : null));
    }
    return out;
  }
  if (Array.isArray(v)) {
    return v.map((item, i) => {
      const e = encodeValue(item, `${path}[${i}]`, readableLimit);
      if (e === undefined) throw new Error(`${path}[${i}] is undefined (arrays cannot hold undefined in a checkpoint)`);
      return e;
    });
  }
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      throw new Error(`${path || '(root)'} is a ${(v as object).constructor?.name ?? 'non-plain object'}; only plain objects, arrays, numbers, strings, booleans, null and typed arrays can be stored`);
    }
    const out: { [k: string]: Json } = {};
    for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
      const p = path ? `${path}.${k}` : k;
      if (k === '$typed' || k === '$number') throw new Error(`${p}: the key "${k}" is reserved by the checkpoint format`);
      const e = encodeValue(item, p, readableLimit);
      if (e !== undefined) out[k] = e;
    }
    return out;
  }
  throw new Error(`${path || '(root)'} is a ${typeof v}, which cannot be stored in a checkpoint`);
}

const NUMBERS: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };
const TYPED_NAMES = new Set<string>(['Float32Array', 'Float64Array', 'Int32Array', 'Uint32Array', 'Uint8Array']);

function decodeValue(v: Json, path: string): unknown {
  if (Array.isArray(v)) return v.map((item, i) => decodeValue(item, `${path}[${i}]`));
  if (v === null || typeof v !== 'object') return v;
  if ('$number' in v) {
    const s = v.$number;
    if (typeof s !== 'string' || !(s in NUMBERS)) throw new Error(`${path}: bad $number ${JSON.stringify(s)}`);
    return NUMBERS[s];
  }
  if ('$typed' in v) {
    const t = v.$typed;
    if (typeof t !== 'string' || !TYPED_NAMES.has(t) || typeof v.base64 !== 'string') throw new Error(`${path}: bad typed array record`);
    return decodeTyped(t as TypedName, v.base64, path);
  }
  const out: Record<string, unknown> = {};
  for (const [k, item] of Object.entries(v)) out[k] = decodeValue(item, path ? `${path}.${k}` : k);
  return out;
}

const headerSchema: Schema = {
  type: 'object',
  required: ['format', 'version', 'kind', 'created', 'payloadBytes', 'sha256'],
  properties: {
    format: { type: 'string' },
    version: { type: 'number', integer: true },
    kind: { type: 'string', pattern: /^[A-Za-z0-9._-]+$/ },
    created: { type: 'string' },
    payloadBytes: { type: 'number', min: 0, integer: true },
    sha256: { type: 'string', pattern: /^[0-9a-f]{64}$/ },
  },
};

// ---- write ------------------------------------------------------------------------------------

/**
 * Serialise `data` under `kind` and write it atomically to `path` (parent directories are
 * created). Returns the header written. On any failure the previous file at `path`, if any,
 * is untouched and no temp file is left behind.
 */
export function writeCheckpoint(path: string, kind: string, data: unknown, options: WriteCheckpointOptions = {}): CheckpointHeader {
  if (!/^[A-Za-z0-9._-]+$/.test(kind)) throw new CheckpointError(path, 'unserialisable', `kind ${JSON.stringify(kind)} must match [A-Za-z0-9._-]+`);
  let payloadText: string;
  try {
    const encoded = encodeValue(data, '', options.readableLimit ?? 4096);
    payloadText = JSON.stringify(encoded ?? null, null, 1);
  } catch (e) {
    throw new CheckpointError(path, 'unserialisable', `cannot serialise payload: ${(e as Error).message}`);
  }
  const payload = Buffer.from(payloadText, 'utf8');
  const header: CheckpointHeader = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    kind,
    created: (options.created ?? new Date()).toISOString(),
    payloadBytes: payload.length,
    sha256: createHash('sha256').update(payload).digest('hex'),
  };
  const file = Buffer.concat([Buffer.from(JSON.stringify(header) + '\n', 'utf8'), payload, Buffer.from('\n')]);

  try {
    writeFileAtomic(path, file, { beforeRename: options.beforeRename });
  } catch (e) {
    const { reason, advice } = describeFileError(e instanceof FileWriteError ? e.cause : e);
    throw new CheckpointError(path, 'write', `could not be written: ${reason}${advice ? ` (${advice})` : ''}; any previous checkpoint there is unchanged`);
  }
  return header;
}

// ---- read -------------------------------------------------------------------------------------

function parseHeader(path: string, buf: Buffer): { header: CheckpointHeader; rest: Buffer } {
  const nl = buf.indexOf(0x0a);
  const prefix = `{"format":"${CHECKPOINT_FORMAT}"`;
  if (nl < 0) {
    if (buf.length === 0) throw new CheckpointError(path, 'truncated', 'truncated: the file is empty');
    if (buf.subarray(0, prefix.length).toString('utf8') === prefix.slice(0, Math.min(prefix.length, buf.length))) {
      throw new CheckpointError(path, 'truncated', 'truncated: the header line is incomplete');
    }
    throw new CheckpointError(path, 'foreign', `not a ${CHECKPOINT_FORMAT} file (no header line)`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(buf.subarray(0, nl).toString('utf8'));
  } catch {
    throw new CheckpointError(path, 'foreign', `not a ${CHECKPOINT_FORMAT} file (the first line is not a JSON header)`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new CheckpointError(path, 'foreign', `not a ${CHECKPOINT_FORMAT} file (the first line is not a JSON object)`);
  }
  const format = (raw as Record<string, unknown>).format;
  if (format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(path, 'foreign', `not a ${CHECKPOINT_FORMAT} file (format is ${format === undefined ? 'missing' : JSON.stringify(format)})`);
  }
  const version = (raw as Record<string, unknown>).version;
  if (version !== CHECKPOINT_VERSION) {
    throw new CheckpointError(path, 'version', `format version ${JSON.stringify(version)} is not supported (this build reads version ${CHECKPOINT_VERSION})`);
  }
  let header: CheckpointHeader;
  try {
    header = validate<CheckpointHeader>(raw, headerSchema, 'header');
  } catch (e) {
    throw new CheckpointError(path, 'corrupt', `corrupt header: ${(e as Error).message}`);
  }
  return { header, rest: buf.subarray(nl + 1) };
}

/** Read only the header (cheap: for listings). Checks format and version, not the payload. */
export function readCheckpointHeader(path: string): CheckpointHeader {
  return parseHeader(path, readFile(path)).header;
}

function readFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new CheckpointError(path, 'unreadable', `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * Read and verify a checkpoint; with `expectedKind`, refuse any other kind. Nothing is returned
 * unless every check passes.
 */
export function readCheckpoint<T = unknown>(path: string, expectedKind?: string): Checkpoint<T> {
  const { header, rest } = parseHeader(path, readFile(path));
  const want = header.payloadBytes + 1;
  if (rest.length < want) {
    throw new CheckpointError(path, 'truncated', `truncated: ${rest.length} bytes after the header, expected ${want}`);
  }
  if (rest.length > want || rest[want - 1] !== 0x0a) {
    throw new CheckpointError(path, 'corrupt', `corrupt: ${rest.length} bytes after the header, expected ${want} ending in a newline`);
  }
  const payload = rest.subarray(0, header.payloadBytes);
  const hash = createHash('sha256').update(payload).digest('hex');
  if (hash !== header.sha256) {
    throw new CheckpointError(path, 'corrupt', `corrupt: payload SHA-256 ${hash.slice(0, 12)}… does not match the header's ${header.sha256.slice(0, 12)}…`);
  }
  if (expectedKind !== undefined && header.kind !== expectedKind) {
    throw new CheckpointError(path, 'kind', `holds a "${header.kind}" checkpoint, expected "${expectedKind}"`);
  }
  let data: unknown;
  try {
    data = decodeValue(JSON.parse(payload.toString('utf8')) as Json, '');
  } catch (e) {
    throw new CheckpointError(path, 'corrupt', `corrupt payload: ${(e as Error).message}`);
  }
  return { header, data: data as T };
}
