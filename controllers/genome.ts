/**
 * The genome: one flat `Float32Array` that ES, checkpoints and the gradient path all read and
 * write, cut into named slices by a `GenomeLayout` (name, shape, offset, size). A layout can
 * describe itself, serialise to JSON, and be checked against another layout, so a checkpoint
 * written for a different network is refused instead of silently misread.
 *
 * Constrained parameters are stored unconstrained ("raw") and mapped in exactly one place,
 * `constrain` below, because ES adds Gaussian noise to the raw vector:
 *
 *   transform 'none'      value = raw
 *   transform 'sigmoid'   value = 1 / (1 + exp(−raw))          ∈ (0, 1)   (η, τ_θ, β)
 *
 * Initialisers are given in raw space (`normal(mean, std)`, `constant`); `logit` converts a
 * desired constrained value into its raw mean.
 */
import { Rng } from '../core/rng.js';
import { validate, type Schema, SchemaError } from '../core/schema.js';

export type Transform = 'none' | 'sigmoid';

export type Init = { readonly kind: 'normal'; readonly mean: number; readonly std: number } | { readonly kind: 'constant'; readonly value: number };

export interface SliceSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly transform?: Transform;
  readonly init: Init;
  /** one line for `describe()`: what the slice holds */
  readonly doc?: string;
}

export interface GenomeSlice {
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
  readonly transform: Transform;
  readonly init: Init;
  readonly doc: string;
}

export interface GenomeLayoutJSON {
  format: 'spikeloco-genome-layout';
  version: 1;
  size: number;
  slices: { name: string; shape: number[]; offset: number; size: number; transform: Transform }[];
}

/** The one place where raw genome values become constrained parameters. */
export function constrain(transform: Transform, raw: number): number {
  return transform === 'sigmoid' ? 1 / (1 + Math.exp(-raw)) : raw;
}

/** Inverse of the sigmoid: the raw value whose constrained value is p ∈ (0, 1). */
export function logit(p: number): number {
  return Math.log(p / (1 - p));
}

export function normal(mean: number, std: number): Init {
  return { kind: 'normal', mean, std };
}

export function constant(value: number): Init {
  return { kind: 'constant', value };
}

const LAYOUT_SCHEMA: Schema = {
  type: 'object',
  required: ['format', 'version', 'size', 'slices'],
  properties: {
    format: { type: 'string', enum: ['spikeloco-genome-layout'] },
    version: { type: 'number', integer: true, min: 1, max: 1 },
    size: { type: 'number', integer: true, min: 0 },
    slices: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'shape', 'offset', 'size', 'transform'],
        properties: {
          name: { type: 'string' },
          shape: { type: 'array', items: { type: 'number', integer: true, min: 0 } },
          offset: { type: 'number', integer: true, min: 0 },
          size: { type: 'number', integer: true, min: 0 },
          transform: { type: 'string', enum: ['none', 'sigmoid'] },
        },
      },
    },
  },
};

export class GenomeLayout {
  readonly slices: readonly GenomeSlice[];
  /** total number of parameters */
  readonly size: number;
  private readonly byName: ReadonlyMap<string, GenomeSlice>;

  constructor(specs: readonly SliceSpec[]) {
    const slices: GenomeSlice[] = [];
    const byName = new Map<string, GenomeSlice>();
    let offset = 0;
    for (const s of specs) {
      if (byName.has(s.name)) throw new Error(`genome layout: duplicate slice "${s.name}"`);
      const size = s.shape.reduce((a, b) => a * b, 1);
      const slice: GenomeSlice = { name: s.name, shape: [...s.shape], offset, size, transform: s.transform ?? 'none', init: s.init, doc: s.doc ?? '' };
      slices.push(slice);
      byName.set(s.name, slice);
      offset += size;
    }
    this.slices = slices;
    this.byName = byName;
    this.size = offset;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  slice(name: string): GenomeSlice {
    const s = this.byName.get(name);
    if (!s) throw new Error(`genome layout: no slice "${name}" (have: ${this.slices.map((x) => x.name).join(', ')})`);
    return s;
  }

  /** A live view (`subarray`, no copy) of one slice of `genome`. */
  view(genome: Float32Array, name: string): Float32Array {
    this.checkLength(genome);
    const s = this.slice(name);
    return genome.subarray(s.offset, s.offset + s.size);
  }

  /** Throws unless `genome` has exactly this layout's size. */
  checkLength(genome: Float32Array, where = 'genome'): void {
    if (genome.length !== this.size) throw new Error(`${where}: expected ${this.size} parameters for this layout, got ${genome.length}`);
  }

  /** A fresh genome drawn from each slice's initialiser, in slice order, from one seeded stream. */
  initialize(seed: number): Float32Array {
    const rng = new Rng(seed);
    const g = new Float32Array(this.size);
    for (const s of this.slices) {
      const init = s.init;
      for (let i = 0; i < s.size; i++) g[s.offset + i] = init.kind === 'constant' ? init.value : init.mean + init.std * rng.normal();
    }
    return g;
  }

  /** A human-readable table: one slice per line. */
  describe(): string {
    const lines = [`genome layout: ${this.size} parameters in ${this.slices.length} slices`];
    for (const s of this.slices) {
      lines.push(`  ${s.name.padEnd(28)} [${s.shape.join('×')}]`.padEnd(46) + ` @${s.offset}`.padEnd(9) + ` ${s.transform === 'none' ? '' : s.transform + ' '}${s.doc}`);
    }
    return lines.join('\n');
  }

  toJSON(): GenomeLayoutJSON {
    return {
      format: 'spikeloco-genome-layout',
      version: 1,
      size: this.size,
      slices: this.slices.map((s) => ({ name: s.name, shape: [...s.shape], offset: s.offset, size: s.size, transform: s.transform })),
    };
  }

  /** Read a layout written by `toJSON` (initialisers are not stored; restored ones are zero constants). */
  static fromJSON(value: unknown, where = 'genome layout'): GenomeLayout {
    const j = validate<GenomeLayoutJSON>(value, LAYOUT_SCHEMA, where);
    const layout = new GenomeLayout(j.slices.map((s) => ({ name: s.name, shape: s.shape, transform: s.transform, init: constant(0) })));
    const mismatch = firstDifference(layout.toJSON(), j);
    if (mismatch) throw new SchemaError(mismatch.path, mismatch.expected, mismatch.got, where);
    return layout;
  }

  /** True when both layouts have the same slices (names, shapes, offsets, transforms) in order. */
  equals(other: GenomeLayout | GenomeLayoutJSON): boolean {
    return firstDifference(this.toJSON(), other instanceof GenomeLayout ? other.toJSON() : other) === null;
  }

  /**
   * Throws an error naming the first difference unless `other` (e.g. a checkpoint's layout)
   * describes exactly this layout.
   */
  assertCompatible(other: GenomeLayout | GenomeLayoutJSON, where = 'checkpoint'): void {
    const d = firstDifference(this.toJSON(), other instanceof GenomeLayout ? other.toJSON() : other);
    if (d) throw new Error(`${where}: genome layout does not match this controller: ${d.path}: expected ${d.expected}, got ${String(d.got)}`);
  }
}

function firstDifference(a: GenomeLayoutJSON, b: GenomeLayoutJSON): { path: string; expected: string; got: unknown } | null {
  const n = Math.max(a.slices.length, b.slices.length);
  for (let i = 0; i < n; i++) {
    const x = a.slices[i];
    const y = b.slices[i];
    const path = `slices[${i}]`;
    if (!x) return { path, expected: 'no more slices', got: `slice "${y.name}"` };
    if (!y) return { path, expected: `slice "${x.name}"`, got: 'nothing' };
    if (x.name !== y.name) return { path: `${path}.name`, expected: `"${x.name}"`, got: `"${y.name}"` };
    if (x.shape.join('×') !== y.shape.join('×')) return { path: `${path}.shape (${x.name})`, expected: `[${x.shape.join(', ')}]`, got: `[${y.shape.join(', ')}]` };
    if (x.offset !== y.offset) return { path: `${path}.offset (${x.name})`, expected: String(x.offset), got: y.offset };
    if (x.size !== y.size) return { path: `${path}.size (${x.name})`, expected: String(x.size), got: y.size };
    if (x.transform !== y.transform) return { path: `${path}.transform (${x.name})`, expected: x.transform, got: y.transform };
  }
  if (a.size !== b.size) return { path: 'size', expected: String(a.size), got: b.size };
  return null;
}

/**
 * Copy every slice that both layouts have with the same shape and transform from `from` into
 * `to`; returns the names copied. (E.g. a plastic-snn genome into a static-snn genome.)
 */
export function transferGenome(fromLayout: GenomeLayout, from: Float32Array, toLayout: GenomeLayout, to: Float32Array): string[] {
  fromLayout.checkLength(from, 'source genome');
  toLayout.checkLength(to, 'target genome');
  const copied: string[] = [];
  for (const s of toLayout.slices) {
    if (!fromLayout.has(s.name)) continue;
    const t = fromLayout.slice(s.name);
    if (t.shape.join('×') !== s.shape.join('×') || t.transform !== s.transform) continue;
    to.set(from.subarray(t.offset, t.offset + t.size), s.offset);
    copied.push(s.name);
  }
  return copied;
}
