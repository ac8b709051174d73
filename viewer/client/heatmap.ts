/**
 * A heatmap of one plastic (Hebb) matrix from HEBB messages: rows × cols cells, a diverging
 * blue–white–red map centred on 0 when the values straddle 0, else a dark-to-yellow ramp.
 */
import { HEBB_HEADER_WORDS } from '../protocol.js';

export class HebbHeatmap {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly off = document.createElement('canvas');
  private image: ImageData | null = null;
  /** messages drawn (tests read it) */
  drawn = 0;
  lo = 0;
  hi = 0;

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.ctx = canvas.getContext('2d')!;
  }

  draw(buf: ArrayBuffer): void {
    const u32 = new Uint32Array(buf, 0, HEBB_HEADER_WORDS), f32 = new Float32Array(buf, 0, HEBB_HEADER_WORDS);
    const rows = u32[3], cols = u32[4], lo = f32[5], hi = f32[6];
    const bytes = new Uint8Array(buf, 4 * HEBB_HEADER_WORDS, rows * cols);
    if (!this.image || this.image.width !== cols || this.image.height !== rows) {
      this.off.width = cols;
      this.off.height = rows;
      this.image = new ImageData(cols, rows);
    }
    const px = this.image.data;
    const diverging = lo < 0 && hi > 0;
    const zero = diverging ? (-lo / (hi - lo)) * 255 : 0;
    for (let k = 0; k < rows * cols; k++) {
      const b = bytes[k];
      let r: number, g: number, bl: number;
      if (diverging) {
        if (b >= zero) {
          const t = (b - zero) / (255 - zero || 1);
          r = 255; g = bl = 255 * (1 - t);
        } else {
          const t = (zero - b) / (zero || 1);
          bl = 255; r = g = 255 * (1 - t);
        }
      } else {
        const t = b / 255;
        r = 40 + 215 * t; g = 20 + 200 * t * t; bl = 90 * (1 - t);
      }
      px[4 * k] = r; px[4 * k + 1] = g; px[4 * k + 2] = bl; px[4 * k + 3] = 255;
    }
    this.off.getContext('2d')!.putImageData(this.image, 0, 0);
    this.ctx.imageSmoothingEnabled = false;
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.ctx.drawImage(this.off, 0, 0, this.canvas.width, this.canvas.height);
    this.lo = lo;
    this.hi = hi;
    this.drawn++;
  }
}
