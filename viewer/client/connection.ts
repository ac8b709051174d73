/**
 * The page's websocket to the server (same host, /ws): JSON messages and binary frames in,
 * JSON requests out with ids matched to the server's ack/error. Reconnects after a drop.
 */
import type { ClientRequest as Request, ServerMessage } from '../protocol.js';


export interface ConnectionHandlers {
  json(msg: ServerMessage): void;
  binary(buf: ArrayBuffer): void;
  /** open or closed; when closed, the server's close reason if it gave one (e.g. the viewer is full) */
  state(open: boolean, reason?: string): void;
}

export class Connection {
  private ws: WebSocket | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: ServerMessage) => void>();
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly handlers: ConnectionHandlers,
  ) {
    this.open();
  }

  /** Send a request; resolves with the server's ack or error for it. */
  request(msg: Request): Promise<ServerMessage> {
    const id = this.nextId++;
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.resolve({ type: 'error', id, message: 'not connected to the server' });
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      ws.send(JSON.stringify({ ...msg, id }));
    });
  }

  /** Send raw text (used by tests to check the server's validation). */
  sendRaw(text: string): void {
    this.ws?.send(text);
  }

  close(): void {
    this.closed = true;
    this.ws?.close();
  }

  private open(): void {
    const ws = new WebSocket(this.url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => this.handlers.state(true);
    ws.onclose = (ev: CloseEvent) => {
      this.handlers.state(false, ev.reason);
      for (const [id, resolve] of this.waiting) resolve({ type: 'error', id, message: 'connection closed' });
      this.waiting.clear();
      // a full viewer (1013) is retried less eagerly
      if (!this.closed) setTimeout(() => this.open(), ev.code === 1013 ? 5000 : 1000);
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data === 'string') {
        const msg = JSON.parse(ev.data) as ServerMessage;
        if ((msg.type === 'ack' || msg.type === 'error') && msg.id !== undefined) {
          const resolve = this.waiting.get(msg.id);
          if (resolve) {
            this.waiting.delete(msg.id);
            resolve(msg);
          }
        }
        this.handlers.json(msg);
      } else {
        this.handlers.binary(ev.data as ArrayBuffer);
      }
    };
  }
}
