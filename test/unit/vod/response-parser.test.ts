import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_HEAD_BYTES, ResponseParser } from '../../../lib/vod/response-parser.ts';

interface Read { status?: number; headers?: Record<string, string>; body: string; done: boolean; reusable: boolean }

/** Feeds `wire` in pieces of `step` bytes (Infinity: whole) and reports what the parser made of it. */
function parse(wire: string | Buffer, step = Infinity, opts: { head?: boolean; eof?: boolean } = {}): Read {
  const bytes = typeof wire === 'string' ? Buffer.from(wire, 'latin1') : wire;
  const out: Read = { body: '', done: false, reusable: true };
  const chunks: Buffer[] = [];
  const parser = new ResponseParser(opts.head ?? false, {
    head(status, headers) {
      out.status = status;
      out.headers = Object.fromEntries(headers);
    },
    data: (chunk) => chunks.push(Buffer.from(chunk)),
  });
  for (let i = 0; i < bytes.length; i += Math.min(step, bytes.length)) parser.push(bytes.subarray(i, i + step));
  if (opts.eof) parser.end();
  return { ...out, body: Buffer.concat(chunks).toString('latin1'), done: parser.done, reusable: parser.reusable };
}

/** Every way of cutting `wire` in pieces of 1 .. 7 bytes reads as it does whole. */
function sameInPieces(wire: string, opts: { eof?: boolean } = {}): Read {
  const whole = parse(wire, Infinity, opts);
  for (let step = 1; step <= 7; step++) assert.deepEqual(parse(wire, step, opts), whole, `in pieces of ${step}`);
  return whole;
}

function protocolError(wire: string | Buffer, message: RegExp, opts: { head?: boolean; eof?: boolean } = {}): void {
  assert.throws(() => parse(wire, Infinity, opts), (err: NodeJS.ErrnoException) => err.code === 'EPROTO' && message.test(err.message));
}

describe('ResponseParser: framing', () => {
  test('Content-Length: the body to the byte, fields by lower-case name, repeats joined; bytes split anywhere', () => {
    const read = sameInPieces('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Tt-Logid:  a \r\nx-tt-logid: b\r\nContent-Length: 11\r\n\r\n{"v":"été"}');
    assert.deepEqual(read, {
      status: 200, headers: { 'content-type': 'application/json', 'x-tt-logid': 'a, b', 'content-length': '11' }, body: '{"v":"été"}', done: true, reusable: true,
    });
  });

  test('chunked: sizes in hex with extensions, trailers read past; the connection stays reusable', () => {
    const read = sameInPieces('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=v\r\nhello\r\nA\r\n, world..!\r\n0\r\nX-Checksum: 1\r\n\r\n');
    assert.deepEqual([read.status, read.body, read.done, read.reusable], [200, 'hello, world..!', true, true]);
  });

  test('no length: the body runs to the close, and the connection is not reused', () => {
    const open = parse('HTTP/1.1 200 OK\r\n\r\npart one, ');
    assert.deepEqual([open.body, open.done], ['part one, ', false]);
    const read = sameInPieces('HTTP/1.1 200 OK\r\n\r\npart one, part two', { eof: true });
    assert.deepEqual([read.body, read.done, read.reusable], ['part one, part two', true, false]);
  });

  test('no body: 204, 304, an answer to HEAD (whatever its Content-Length), Content-Length 0', () => {
    for (const [wire, head] of [['HTTP/1.1 204 No Content\r\n\r\n', false], ['HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n', false],
      ['HTTP/1.1 200 OK\r\nContent-Length: 4096\r\n\r\n', true], ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', false]] as const) {
      const read = parse(wire, Infinity, { head });
      assert.deepEqual([read.body, read.done, read.reusable], ['', true, true], wire);
    }
  });

  test('interim answers (100, 103) are skipped; the reason phrase may be empty or absent', () => {
    const read = sameInPieces('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 \r\nContent-Length: 2\r\n\r\nok');
    assert.deepEqual([read.status, read.headers, read.body], [201, { 'content-length': '2' }, 'ok']);
    assert.equal(parse('HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n').status, 404);
  });

  test('Connection: close, HTTP/1.0, bytes after the end, Transfer-Encoding with Content-Length: not reusable', () => {
    assert.equal(parse('HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n').reusable, false);
    assert.equal(parse('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n').reusable, false);
    const extra = parse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n');
    assert.deepEqual([extra.body, extra.done, extra.reusable], ['ok', true, false]);
    const both = parse('HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n');
    assert.deepEqual([both.body, both.done, both.reusable], ['ok', true, false]);
  });

  test('a repeated Content-Length that agrees is one length', () => {
    assert.equal(parse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok').body, 'ok');
  });
});

describe('ResponseParser: malformed answers fail with EPROTO', () => {
  test('status line, field lines, folding, control characters', () => {
    protocolError('HTTP/2 200 OK\r\n\r\n', /malformed status line "HTTP\/2 200 OK"/);
    protocolError('HTTP/1.1 20 OK\r\n\r\n', /malformed status line/);
    protocolError('ICY 200 OK\r\n\r\n', /malformed status line/);
    protocolError('HTTP/1.1 200 OK\r\nno colon\r\n\r\n', /malformed header line "no colon"/);
    protocolError('HTTP/1.1 200 OK\r\nA: 1\r\n folded\r\n\r\n', /malformed header line/);
    protocolError('HTTP/1.1 200 OK\r\nBad Name: 1\r\n\r\n', /malformed header line/);
    protocolError('HTTP/1.1 200 OK\r\nA: 1\nB: 2\r\n\r\n', /control character \(A\)/);
    protocolError('HTTP/1.1 101 Switching Protocols\r\n\r\n', /unrequested protocol switch/);
  });

  test('a bare LF fails at once, in whatever pieces it comes (a head waiting for CRLF would wait for ever)', () => {
    for (const wire of ['HTTP/1.1 200 OK\nContent-Length: 2\n', 'HTTP/1.1 200 OK\r\nContent-Length: 2\n', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nok']) {
      for (const step of [Infinity, 1, 3]) {
        assert.throws(() => parse(wire, step), { code: 'EPROTO', message: 'invalid HTTP response: a line not ended by CRLF' }, `${JSON.stringify(wire)} in pieces of ${step}`);
      }
    }
  });

  test('lengths: disagreeing or non-numeric Content-Length, bad chunk sizes, a chunk without its CRLF', () => {
    protocolError('HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nok', /invalid Content-Length "2, 3"/);
    protocolError('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /invalid Content-Length/);
    protocolError('HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n', /invalid Content-Length/);
    protocolError('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /malformed chunk size/);
    protocolError('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n', /malformed chunk size/);
    protocolError('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX\r\n', /chunk not followed by CRLF/);
  });

  test('a head or a chunk line past its bound fails as soon as it is past, not when it ends', () => {
    protocolError(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nX: '), Buffer.alloc(MAX_HEAD_BYTES, 'a')]), /head over 65536 bytes/);
    protocolError(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;${'e'.repeat(9000)}`, /chunk line over 8192 bytes/);
  });

  test('the connection ending early: "socket hang up" before any byte, ECONNRESET after some', () => {
    const ended = (wire: string): NodeJS.ErrnoException => {
      const parser = new ResponseParser(false, { head() {}, data() {} });
      if (wire) parser.push(Buffer.from(wire));
      try {
        parser.end();
      } catch (err) {
        return err as NodeJS.ErrnoException;
      }
      assert.fail('end() did not throw');
    };
    assert.deepEqual([ended('').code, ended('').message], ['ECONNRESET', 'socket hang up']);
    for (const wire of ['HTTP/1.1 200', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nok', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n']) {
      assert.deepEqual([ended(wire).code, ended(wire).message], ['ECONNRESET', 'connection closed before the response ended'], wire);
    }
  });
});
