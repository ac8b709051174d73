/** The bench report: one JSON object, sections filled by each benchmark, written at the end. */
import { mkdirSync } from 'node:fs';
import { writeFileAtomic } from '../core/atomic.js';
import { dirname } from 'node:path';
import os from 'node:os';

export type Section = Record<string, unknown>;

export interface Report {
  created: string;
  machine: { cpus: number; model: string; memoryGiB: number; node: string };
  sections: Record<string, Section>;
}

export function newReport(): Report {
  const cpus = os.cpus();
  return {
    created: new Date().toISOString(),
    machine: { cpus: cpus.length, model: cpus[0]?.model ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    sections: {},
  };
}

export function writeReport(path: string, r: Report): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, JSON.stringify(r, null, 2) + '\n');
}

/** Median of repeated timings, to damp scheduler noise. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

export function heapDeltaPerStep(fn: () => void, steps: number): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return NaN;
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < steps; i++) fn();
  const after = process.memoryUsage().heapUsed;
  return (after - before) / steps;
}
