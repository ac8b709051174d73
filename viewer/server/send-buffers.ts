/**
 * Reusable outgoing binary messages. `ws.send` of a server-side (unmasked) buffer queues a
 * reference to it, not a copy, until the socket has flushed it: a buffer may be rewritten
 * only when every send of it has completed. Each `SendBuffer` counts its sends in flight
 * (`pending`), and the pool hands out a free one, allocating only while every buffer is still
 * queued somewhere (bounded by the per-client high-water mark, so steady state allocates
 * nothing).
 */
export class SendBuffer {
  readonly bytes: Uint8Array;
  readonly u32: Uint32Array;
  readonly f32: Float32Array;
  /** sends not yet flushed to the socket */
  pending = 0;
  /** pass as the `ws.send` callback: called once per send when flushed or failed */
  readonly release = (): void => {
    this.pending--;
  };

  constructor(byteLength: number) {
    const buf = new ArrayBuffer(byteLength);
    this.bytes = new Uint8Array(buf);
    this.u32 = new Uint32Array(buf);
    this.f32 = new Float32Array(buf);
  }
}

export class SendBufferPool {
  private readonly all: SendBuffer[] = [];
  private next = 0;
  allocated = 0;

  constructor(
    readonly byteLength: number,
    /** buffers kept for reuse; beyond this, buffers still in flight are left to the GC */
    readonly maxKept = 64,
  ) {}

  /** A buffer no send refers to any more (contents are stale: overwrite every field). */
  acquire(): SendBuffer {
    const n = this.all.length;
    for (let k = 0; k < n; k++) {
      const b = this.all[(this.next + k) % n];
      if (b.pending <= 0) {
        b.pending = 0;
        this.next = (this.next + k + 1) % n;
        return b;
      }
    }
    const b = new SendBuffer(this.byteLength);
    this.allocated++;
    if (this.all.length < this.maxKept) this.all.push(b);
    return b;
  }
}
