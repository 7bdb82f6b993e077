/**
 * A keep-alive HTTP/1.1 client over one socket, for load generators: one request at a time, the
 * request written as one string, the reply kept as bytes (status, a few headers, body). Node's
 * http client costs about as much CPU per request as the server's page itself, and on a 2-core
 * machine the load generator's CPU is taken from the server; this one costs a fraction of it.
 * It reads Content-Length and chunked replies; a reply saying Connection: close ends the socket
 * and the next request opens a new one.
 */
import { connect, type Socket } from 'node:net';

export interface RawReply {
  status: number;
  /** Header lines, lower-cased names (only what the caller asks for is parsed). */
  head: string;
  body: Buffer;
}

const CRLF2 = Buffer.from('\r\n\r\n');

export class RawConnection {
  private socket: Socket | undefined;
  private chunks: Buffer[] = [];
  private length = 0;
  private pending: { resolve: (r: RawReply) => void; reject: (e: Error) => void } | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  private open(): Socket {
    const s = connect({ host: this.host, port: this.port, noDelay: true });
    s.on('data', (b: Buffer) => {
      this.chunks.push(b);
      this.length += b.length;
      this.parse();
    });
    const fail = (e: Error) => {
      this.socket = undefined;
      const p = this.pending;
      this.pending = undefined;
      p?.reject(e);
    };
    s.on('error', fail);
    s.on('close', () => fail(new Error('connection closed')));
    return s;
  }

  request(text: string): Promise<RawReply> {
    if (this.pending) return Promise.reject(new Error('a request is already in flight on this connection'));
    this.socket ??= this.open();
    this.chunks = [];
    this.length = 0;
    this.headAt = undefined;
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket!.write(text);
    });
  }

  /** The reply's head once read: its text, where the body starts, and the body's length (undefined: chunked). */
  private headAt: { head: string; status: number; start: number; length: number | undefined } | undefined;

  private parse(): void {
    if (!this.headAt) {
      const first = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.length);
      this.chunks = [first];
      const end = first.indexOf(CRLF2);
      if (end < 0) return;
      const head = first.toString('latin1', 0, end).toLowerCase();
      const cl = /\r\ncontent-length: *(\d+)/.exec(head);
      this.headAt = { head, status: Number(head.slice(9, 12)), start: end + 4, length: cl ? Number(cl[1]) : undefined };
    }
    const { head, status, start, length } = this.headAt;
    // Joined once, when the whole body is here (pages are ~80 KB: joining at every read is what costs).
    if (length !== undefined && this.length < start + length) return;
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.length);
    this.chunks = [all];
    let body: Buffer;
    if (length !== undefined) {
      body = all.subarray(start, start + length);
    } else if (head.includes('\r\ntransfer-encoding: chunked')) {
      const parts: Buffer[] = [];
      let at = start;
      for (;;) {
        const eol = all.indexOf('\r\n', at);
        if (eol < 0) return;
        const size = parseInt(all.toString('latin1', at, eol), 16);
        if (all.length < eol + 2 + size + 2) return;
        if (size === 0) break;
        parts.push(all.subarray(eol + 2, eol + 2 + size));
        at = eol + 2 + size + 2;
      }
      body = Buffer.concat(parts);
    } else {
      body = all.subarray(start);
    }
    this.headAt = undefined;
    const p = this.pending;
    this.pending = undefined;
    this.chunks = [];
    this.length = 0;
    if (head.includes('\r\nconnection: close')) {
      this.socket?.removeAllListeners('close');
      this.socket?.destroy();
      this.socket = undefined;
    }
    p?.resolve({ status, head, body });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }
}
