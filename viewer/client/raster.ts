/**
 * A scrolling spike raster (canvas 2D): one column per frame, one row band per neuron, layers
 * separated by a line and labelled. Frames that fold several steps carry the OR of their spikes.
 */
import { spikeBit, type SpikeLayerInfo } from '../protocol.js';

const LAYER_COLOURS = ['#1f5fae', '#b2451f', '#2d8a47', '#7a3da8', '#8a6d1f'];

export class SpikeRaster {
  private ctx: CanvasRenderingContext2D;
  private layers: readonly SpikeLayerInfo[] = [];
  private offsets: number[] = [];
  private total = 0;
  /** spikes drawn since the last clear (tests read it) */
  spikesDrawn = 0;

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.ctx = canvas.getContext('2d')!;
  }

  configure(layers: readonly SpikeLayerInfo[], offsets: number[]): void {
    this.layers = layers;
    this.offsets = offsets;
    this.total = layers.reduce((s, l) => s + l.size, 0);
    this.spikesDrawn = 0;
    this.ctx.fillStyle = '#fff';
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
  }

  /** Append one column from a frame's spike words. */
  push(u32: Uint32Array): void {
    if (!this.total) return;
    const { ctx, canvas } = this;
    const W = canvas.width, H = canvas.height, col = W - 1;
    ctx.drawImage(canvas, -1, 0);
    ctx.fillStyle = '#fff';
    ctx.fillRect(col, 0, 1, H);
    const rowH = H / this.total;
    let row = 0;
    for (let l = 0; l < this.layers.length; l++) {
      const size = this.layers[l].size, off = this.offsets[l];
      ctx.fillStyle = LAYER_COLOURS[l % LAYER_COLOURS.length];
      for (let i = 0; i < size; i++) {
        if (spikeBit(u32, off, i)) {
          ctx.fillRect(col, Math.floor((row + i) * rowH), 1, Math.max(1, Math.ceil(rowH)));
          this.spikesDrawn++;
        }
      }
      row += size;
      if (l < this.layers.length - 1) {
        ctx.fillStyle = '#999';
        ctx.fillRect(col, Math.floor(row * rowH), 1, 1);
      }
    }
  }
}
