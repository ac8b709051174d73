/** Joint-torque bars: τ_j / gear_j in [−1, 1] from the centre line, one row per joint. */
export class TorqueBars {
  private readonly ctx: CanvasRenderingContext2D;
  private names: string[] = [];
  private gears: number[] = [];

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.ctx = canvas.getContext('2d')!;
  }

  configure(names: string[], gears: number[]): void {
    this.names = names;
    this.gears = gears;
    this.canvas.height = Math.max(40, 14 * names.length + 4);
  }

  draw(f32: Float32Array, offset: number): void {
    const { ctx, canvas } = this;
    const W = canvas.width, label = 58, mid = label + (W - label) / 2, half = (W - label) / 2 - 2;
    ctx.clearRect(0, 0, W, canvas.height);
    ctx.font = '10px sans-serif';
    ctx.textBaseline = 'middle';
    for (let j = 0; j < this.names.length; j++) {
      const y = 2 + 14 * j;
      const u = Math.max(-1, Math.min(1, f32[offset + j] / (this.gears[j] || 1)));
      ctx.fillStyle = '#333';
      ctx.fillText(this.names[j], 2, y + 6);
      ctx.fillStyle = '#e8e8e8';
      ctx.fillRect(label, y, W - label, 12);
      ctx.fillStyle = u >= 0 ? '#c0582b' : '#2b6fc0';
      ctx.fillRect(u >= 0 ? mid : mid + u * half, y + 1, Math.abs(u) * half, 10);
    }
    ctx.fillStyle = '#555';
    ctx.fillRect(mid, 0, 1, canvas.height);
  }
}
