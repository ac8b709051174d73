/** Screenshot comparison for the browser tests (compared in the page, so no image library is needed). */
import type { Page } from 'playwright-core';

/** Pixels that differ between two screenshots (compared in the page), their centroid and count. */
export async function screenshotDiff(page: Page, a: Buffer, b: Buffer): Promise<{ changed: number; total: number; cx: number; cy: number }> {
  return page.evaluate(async ([a64, b64]) => {
    const load = async (b: string) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const g = c.getContext('2d')!;
      g.drawImage(img, 0, 0);
      return g.getImageData(0, 0, c.width, c.height);
    };
    const [A, B] = await Promise.all([load(a64), load(b64)]);
    let changed = 0, sx = 0, sy = 0;
    for (let y = 0; y < A.height; y++) {
      for (let x = 0; x < A.width; x++) {
        const k = 4 * (x + y * A.width);
        const d = Math.abs(A.data[k] - B.data[k]) + Math.abs(A.data[k + 1] - B.data[k + 1]) + Math.abs(A.data[k + 2] - B.data[k + 2]);
        if (d > 30) {
          changed++;
          sx += x;
          sy += y;
        }
      }
    }
    return { changed, total: A.width * A.height, cx: sx / Math.max(1, changed), cy: sy / Math.max(1, changed) };
  }, [a.toString('base64'), b.toString('base64')] as const);
}
