/**
 * Replays a fixed action table, row t at the t-th act after `reset` (observation ignored);
 * after the last row it holds zeros. Rows are in the robot's action order (sim/actions.ts
 * builds the table from an action file).
 */
import type { Controller } from './controller.js';

export class OpenLoopController implements Controller {
  readonly kind = 'open-loop';
  private readonly action: Float32Array;
  private t = 0;
  readonly steps: number;
  constructor(
    private readonly table: Float32Array,
    readonly obsSize: number,
    readonly actSize: number,
  ) {
    if (table.length % actSize !== 0) throw new Error(`OpenLoopController: table of ${table.length} values is not a whole number of ${actSize}-wide rows`);
    this.steps = table.length / actSize;
    this.action = new Float32Array(actSize);
  }
  reset(_seed: number): void {
    this.t = 0;
  }
  act(_observation: Float32Array): Float32Array {
    if (this.t < this.steps) this.action.set(this.table.subarray(this.t * this.actSize, (this.t + 1) * this.actSize));
    else this.action.fill(0);
    this.t++;
    return this.action;
  }
}
