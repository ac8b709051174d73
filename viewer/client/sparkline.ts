/** A sparkline of the last `n` values (forward velocity), with a zero line and the latest value. */
export class Sparkline {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly values: Float32Array;
  private head = 0;
  private count = 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    n = 200,
    private readonly unit = 'm/s',
  ) {
    this.ctx = canvas.getContext('2d')!;
    this.values = new Float32Array(n);
  }

  clear(): void {
    this.count = 0;
    this.head = 0;
  }

  push(v: number): void {
    this.values[this.head] = v;
    this.head = (this.head + 1) % this.values.length;
    this.count = Math.min(this.count + 1, this.values.length);
  }

  draw(): void {
    const { ctx, canvas, values } = this;
    const W = canvas.width, H = canvas.height, n = values.length;
    ctx.clearRect(0, 0, W, H);
    if (!this.count) return;
    let lo = -0.5, hi = 0.5;
    for (let k = 0; k < this.count; k++) {
      const v = values[(this.head - 1 - k + n) % n];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const y = (v: number) => H - 2 - ((v - lo) / (hi - lo)) * (H - 4);
    ctx.strokeStyle = '#bbb';
    ctx.beginPath();
    ctx.moveTo(0, y(0));
    ctx.lineTo(W, y(0));
    ctx.stroke();
    ctx.strokeStyle = '#1f5fae';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    for (let k = 0; k < this.count; k++) {
      const v = values[(this.head - this.count + k + n) % n];
      const x = W - ((this.count - 1 - k) / (n - 1)) * W;
      if (k === 0) ctx.moveTo(x, y(v));
      else ctx.lineTo(x, y(v));
    }
    ctx.stroke();
    ctx.fillStyle = '#222';
    ctx.font = '11px sans-serif';
    ctx.fillText(`${values[(this.head - 1 + n) % n].toFixed(2)} ${this.unit}`, 4, 12);
  }
}
