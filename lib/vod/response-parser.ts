/**
 * The client side of HTTP/1.1 message framing (RFC 9112) for {@link import('./wire.ts')}: a response's status line
 * and header fields, then its body as Content-Length, chunked or until the connection closes. Bytes are fed as they
 * arrive, split anywhere; the body is handed on as slices of those bytes, never copied or held.
 *
 * Strict where leniency would let a response be read two ways: CRLF line ends, no obsolete line folding, one
 * Content-Length value (repeats must agree), chunk sizes in hex. A malformed response throws an Error whose `code`
 * is `EPROTO`, which the clients' error mapping treats as a network error.
 */

/** What the parser reports to its owner. */
export interface ResponseSink {
  /** The final (non-1xx) head. */
  head(status: number, headers: Map<string, string>): void;
  /** A slice of the body (a view into the fed chunk). */
  data(chunk: Buffer): void;
}

/** Longest head accepted (status line and fields), as Node's default `--max-http-header-size` (16 KiB) x 4. */
export const MAX_HEAD_BYTES = 64 * 1024;
/** Longest chunk-size or trailer line. */
const MAX_LINE_BYTES = 8 * 1024;

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'until-close' | 'done';

export class ResponseParser {
  /** True once the whole response has been read. */
  get done(): boolean {
    return this.state === 'done';
  }
  /** Whether the connection may carry another request once this response is done. */
  reusable = true;
  /** Whether any byte has arrived. */
  started = false;

  private state: State = 'head';
  private left = 0;
  /** The bytes of an unfinished head or line, in the pieces they came in (joined once it ends: no quadratic copy). */
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  /** `noBody`: the request was a HEAD, whose answer has no body whatever its fields say. */
  constructor(private readonly noBody: boolean, private readonly sink: ResponseSink) {}

  /** Reads `chunk`; throws `EPROTO` on a malformed response. Bytes after the end make the connection unusable. */
  push(chunk: Buffer): void {
    this.started = true;
    let data = chunk;
    if (this.pending.length > 0) {
      if (!this.completes(chunk)) {
        this.pending.push(chunk);
        this.pendingBytes += chunk.length;
        this.bound(this.pendingBytes);
        return;
      }
      data = Buffer.concat([...this.pending, chunk]);
      this.pending = [];
      this.pendingBytes = 0;
    }
    let i = 0;
    while (i < data.length) {
      switch (this.state) {
        case 'head': {
          // a client ignores empty lines before a status line (RFC 9112 2.2)
          while (data[i] === 13 && data[i + 1] === 10) i += 2;
          const end = data.indexOf('\r\n\r\n', i, 'latin1');
          this.bound((end < 0 ? data.length : end) - i);
          if (end < 0) return this.keep(data, i);
          this.readHead(data.toString('latin1', i, end));
          i = end + 4;
          break;
        }
        case 'length':
        case 'chunk-data': {
          const n = Math.min(this.left, data.length - i);
          this.sink.data(data.subarray(i, i + n));
          i += n;
          this.left -= n;
          if (this.left === 0) this.state = this.state === 'length' ? 'done' : 'chunk-end';
          break;
        }
        case 'until-close':
          this.sink.data(i === 0 ? data : data.subarray(i));
          i = data.length;
          break;
        case 'chunk-size': {
          const end = this.lineEnd(data, i);
          if (end < 0) return this.keep(data, i);
          const size = data.toString('latin1', i, end).split(';', 1)[0]!.trim();
          if (!/^[0-9a-fA-F]{1,13}$/.test(size)) throw protocolError('a malformed chunk size');
          this.left = parseInt(size, 16);
          this.state = this.left === 0 ? 'trailers' : 'chunk-data';
          i = end + 2;
          break;
        }
        case 'chunk-end':
          if (data.length - i < 2) return this.keep(data, i);
          if (data[i] !== 13 || data[i + 1] !== 10) throw protocolError('a chunk not followed by CRLF');
          i += 2;
          this.state = 'chunk-size';
          break;
        case 'trailers': {
          // trailer fields are read past, not used
          const end = this.lineEnd(data, i);
          if (end < 0) return this.keep(data, i);
          if (end === i) this.state = 'done';
          i = end + 2;
          break;
        }
        case 'done':
          // nothing may follow a response on a connection we did not send another request on
          this.reusable = false;
          return;
      }
    }
  }

  /** The connection ended: completes a body read until the close, else throws `ECONNRESET`. */
  end(): void {
    if (this.state === 'until-close') {
      this.state = 'done';
      this.reusable = false;
      return;
    }
    if (this.state !== 'done') {
      throw Object.assign(new Error(this.started ? 'connection closed before the response ended' : 'socket hang up'), { code: 'ECONNRESET' });
    }
  }

  private keep(data: Buffer, from: number): void {
    const rest = from === 0 ? data : data.subarray(from);
    if (this.state !== 'chunk-end' && hasBareLf(rest, 0)) throw protocolError('a line not ended by CRLF');
    this.pending = [rest];
    this.pendingBytes = rest.length;
  }

  /**
   * Whether `chunk` ends the kept head or line: its terminator may straddle the two, so the last bytes kept are
   * looked at with it. Throws on a bare LF, which would otherwise leave the head waiting for a CRLF that never comes.
   */
  private completes(chunk: Buffer): boolean {
    if (this.state === 'chunk-end') return true;
    const marker = this.state === 'head' ? '\r\n\r\n' : '\r\n';
    const tail: Buffer[] = [];
    for (let p = this.pending.length - 1, need = marker.length - 1; p >= 0 && need > 0; p--) {
      const piece = this.pending[p]!;
      tail.unshift(piece.subarray(Math.max(0, piece.length - need)));
      need -= piece.length;
    }
    const probe = Buffer.concat([...tail, chunk]);
    const from = probe.length - chunk.length;
    if (hasBareLf(probe, from)) throw protocolError('a line not ended by CRLF');
    return probe.indexOf(marker, 0, 'latin1') >= 0;
  }

  private lineEnd(data: Buffer, from: number): number {
    const end = data.indexOf('\r\n', from, 'latin1');
    this.bound((end < 0 ? data.length : end) - from);
    return end;
  }

  /** Throws when the head or line being read (`bytes` of it so far) is past its bound. */
  private bound(bytes: number): void {
    if (this.state === 'head' ? bytes > MAX_HEAD_BYTES : bytes > MAX_LINE_BYTES) {
      throw protocolError(this.state === 'head' ? `a response head over ${MAX_HEAD_BYTES} bytes` : `a chunk line over ${MAX_LINE_BYTES} bytes`);
    }
  }

  private readHead(head: string): void {
    // one pass over the whole head proves its form; the line-by-line checks below only name what is wrong
    if (!HEAD.test(head)) throw headError(head);
    const lines = head.split('\r\n');
    const status = lines[0]!;
    const code = Number(status.slice(9, 12));
    const headers = new Map<string, string>();
    for (let l = 1; l < lines.length; l++) {
      const line = lines[l]!;
      const colon = line.indexOf(':');
      const key = line.slice(0, colon).toLowerCase();
      const value = trimOws(line, colon + 1);
      const seen = headers.get(key);
      headers.set(key, seen === undefined ? value : `${seen}, ${value}`);
    }
    if (code < 200) {
      // interim answers (100 Continue, 103 Early Hints) precede the real one; 101 would switch protocols
      if (code === 101) throw protocolError('an unrequested protocol switch (101)');
      return;
    }
    if (status[7] === '0' || /(?:^|,)\s*close\s*(?:,|$)/i.test(headers.get('connection') ?? '')) this.reusable = false;
    this.state = this.framing(code, headers);
    this.sink.head(code, headers);
  }

  private framing(code: number, headers: Map<string, string>): State {
    if (this.noBody || code === 204 || code === 304) return 'done';
    const coding = headers.get('transfer-encoding');
    if (coding !== undefined) {
      // with a Content-Length too, the coding wins and the connection is not reused (RFC 9112 6.3)
      if (headers.has('content-length')) this.reusable = false;
      if (/(?:^|,)\s*chunked\s*$/i.test(coding)) return 'chunk-size';
      this.reusable = false;
      return 'until-close';
    }
    const length = headers.get('content-length');
    if (length === undefined) {
      this.reusable = false;
      return 'until-close';
    }
    const values = new Set(length.split(',').map((v) => v.trim()));
    const [value] = values;
    if (values.size !== 1 || !/^\d{1,15}$/.test(value!)) throw protocolError(`an invalid Content-Length ${JSON.stringify(length.slice(0, 40))}`);
    this.left = Number(value);
    return this.left === 0 ? 'done' : 'length';
  }
}

/**
 * A whole head: the status line of HTTP/1.0 or 1.1, then field lines each a token (RFC 9110 5.6.2), a colon and a
 * value without CR, LF or NUL (lines end in CRLF; a bare CR or LF is in no line).
 */
const HEAD = /^HTTP\/1\.[01] [1-9]\d\d(?: [^\r\n\0]*)?(?:\r\n[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[^\r\n\0]*)*$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The error naming what is wrong in a head {@link HEAD} refused. */
function headError(head: string): Error {
  const [status, ...lines] = head.split('\r\n');
  if (!/^HTTP\/1\.[01] [1-9]\d\d(?: [^\r\n\0]*)?$/.test(status!)) return protocolError(`a malformed status line ${JSON.stringify(status!.slice(0, 40))}`);
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0 || !TOKEN.test(line.slice(0, colon))) return protocolError(`a malformed header line ${JSON.stringify(line.slice(0, 40))}`);
    if (/[\0\r\n]/.test(line)) return protocolError(`a header value with a control character (${line.slice(0, colon)})`);
  }
  return protocolError('a malformed head');
}

/** `line` from `from`, without the spaces and tabs around it (a field value's optional white space). */
function trimOws(line: string, from: number): string {
  let start = from;
  let end = line.length;
  while (start < end && (line.charCodeAt(start) === 32 || line.charCodeAt(start) === 9)) start++;
  while (end > start && (line.charCodeAt(end - 1) === 32 || line.charCodeAt(end - 1) === 9)) end--;
  return line.slice(start, end);
}

/** Whether an LF at or after `from` follows something other than CR (the byte before `from` is looked at). */
function hasBareLf(bytes: Buffer, from: number): boolean {
  for (let at = bytes.indexOf(10, from); at >= 0; at = bytes.indexOf(10, at + 1)) {
    if (at === 0 || bytes[at - 1] !== 13) return true;
  }
  return false;
}

function protocolError(what: string): Error {
  return Object.assign(new Error(`invalid HTTP response: ${what}`), { code: 'EPROTO' });
}
