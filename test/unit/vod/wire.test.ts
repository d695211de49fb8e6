import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, beforeEach, describe, mock, test } from 'node:test';
import { createServer as createTlsServer } from 'node:tls';
import { promisify } from 'node:util';
import { httpFetch, preconnect, readText, send } from '#lib/vod';

/**
 * A TCP server that answers each request with bytes the test scripts: what the transport does with framing,
 * connections and failures a node:http server would not produce.
 */
describe('wire (HTTP/1.1 over node:net)', () => {
  let server: Server;
  let origin: URL;
  /** Request heads as they arrived, with the connection each came on. */
  let heads: Array<{ head: string; socket: Socket }> = [];
  let reply: (socket: Socket, head: string) => void = (socket) => socket.write('HTTP/1.1 204 No Content\r\n\r\n');
  const sockets = new Set<Socket>();
  /** Connections the server has accepted since it started. */
  let accepted = 0;
  /** A whole answer of two bytes, "ok". */
  const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
  /** GET `path` through httpFetch; its body. */
  const get = async (path: string): Promise<string> => (await httpFetch(`${origin.origin}${path}`, { method: 'GET', headers: {} })).text();
  /** For each request so far, the index of the first request that came on its connection. */
  const connections = (): number[] => heads.map((h) => heads.findIndex((first) => first.socket === h.socket));

  before(async () => {
    server = createServer((socket) => {
      accepted++;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
      let buf = '';
      socket.on('data', (d) => {
        buf += d.toString('latin1');
        for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
          const head = buf.slice(0, end);
          const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
          if (head.startsWith('PUT /early ')) {
            // answers at the head and reads no more: the client is still writing the body
            heads.push({ head, socket });
            socket.pause();
            socket.write('HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n');
            buf = '';
            return;
          }
          if (buf.length < end + 4 + length) return;
          buf = buf.slice(end + 4 + length);
          heads.push({ head, socket });
          reply(socket, head);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  beforeEach(() => {
    heads = [];
  });
  after(() => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  }));

  test('the request head: Host added, given fields as given, Content-Length for a body and for a bodiless POST', async () => {
    reply = (socket) => socket.write(OK);
    await (await httpFetch(`${origin.origin}/a%20b?x=1&y=%2F`, { method: 'GET', headers: { 'X-Date': '20200101T000000Z' } })).text();
    await (await httpFetch(`${origin.origin}/p`, { method: 'POST', headers: { host: 'bucket.s3.local' } })).text();
    await (await httpFetch(`${origin.origin}/q`, { method: 'PUT', headers: {}, body: new Uint8Array([1, 2, 3]) })).text();
    assert.deepEqual(heads.map((h) => h.head), [
      `GET /a%20b?x=1&y=%2F HTTP/1.1\r\nX-Date: 20200101T000000Z\r\nHost: ${origin.host}`,
      'POST /p HTTP/1.1\r\nhost: bucket.s3.local\r\nContent-Length: 0',
      `PUT /q HTTP/1.1\r\nHost: ${origin.host}\r\nContent-Length: 3`,
    ]);
  });

  test('a field that could split the head is refused before anything is sent, and its value is not in the error', async () => {
    const err = await httpFetch(origin.origin, { method: 'GET', headers: { Authorization: 'secret-token\r\nX-Injected: 1' } }).catch((e: unknown) => e) as NodeJS.ErrnoException;
    assert.deepEqual([err.name, err.code, err.message], ['TypeError', 'ERR_INVALID_CHAR', 'invalid character in header content ["Authorization"]']);
    const name = await httpFetch(origin.origin, { method: 'GET', headers: { 'X Y': '1' } }).catch((e: unknown) => e) as NodeJS.ErrnoException;
    assert.equal(name.code, 'ERR_INVALID_HTTP_TOKEN');
    assert.throws(() => send(origin, { method: 'GET', path: '/a b', headers: {} }), { code: 'ERR_UNESCAPED_CHARACTERS' });
    assert.equal(heads.length, 0);
  });

  test('keep-alive: a connection is reused after a whole answer (length, chunked, 204), not after Connection: close', async () => {
    const answers = [
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nb\r\n0\r\n\r\n',
      'HTTP/1.1 204 No Content\r\n\r\n',
      'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nc',
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nd',
    ];
    reply = (socket) => socket.write(answers[heads.length - 1]!);
    const bodies = [];
    for (let i = 0; i < answers.length; i++) bodies.push(await get(`/${i}`));
    assert.deepEqual(bodies, ['a', 'b', '', 'c', 'd']);
    assert.deepEqual(connections(), [0, 0, 0, 0, 4]);
  });

  test('an idle connection past its time is not reused, though its timer never fired (a frozen Lambda runs no timer)', async (t) => {
    reply = (socket) => socket.write(OK);
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
    t.after(() => mock.timers.reset());
    await get('/1');
    mock.timers.tick(3_900);
    await get('/2');
    mock.timers.tick(4_100);
    await get('/3');
    assert.deepEqual(connections(), [0, 0, 2]);
  });

  test('Keep-Alive: timeout=N keeps a connection N - 1 s at most; timeout=1 not at all', async (t) => {
    let keep = '1';
    reply = (socket) => socket.write(`HTTP/1.1 200 OK\r\nKeep-Alive: timeout=${keep}, max=100\r\nContent-Length: 2\r\n\r\nok`);
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
    t.after(() => mock.timers.reset());
    for (const path of ['/a', '/b']) await get(path);
    keep = '3';
    for (const [path, wait] of [['/c', 0], ['/d', 1_900], ['/e', 2_100]] as const) {
      mock.timers.tick(wait);
      await get(path);
    }
    assert.deepEqual(connections(), [0, 1, 2, 2, 4]);
  });

  test('a method is sent in upper case', async () => {
    reply = (socket) => socket.write('HTTP/1.1 204 No Content\r\n\r\n');
    await (await httpFetch(`${origin.origin}/m`, { method: 'delete', headers: {} })).text();
    assert.equal(heads[0]!.head.split(' ')[0], 'DELETE');
  });

  test('an idle connection the server closed is not reused: the next request opens another and succeeds', async () => {
    reply = (socket) => socket.write(OK);
    await get('/');
    const first = heads[0]!.socket;
    const closed = new Promise((resolve) => first.on('close', resolve));
    first.end();
    await closed;
    await new Promise((resolve) => setImmediate(resolve));
    const res = await httpFetch(origin.origin, { method: 'GET', headers: {} });
    assert.deepEqual([res.status, await res.text(), heads.length, heads[1]!.socket === first], [200, 'ok', 2, false]);
  });

  /** Closes every connection from the server's side and waits until the client's pool has let them go. */
  const closeAll = async (): Promise<void> => {
    await Promise.all([...sockets].map((s) => new Promise<void>((resolve) => s.end(() => resolve()))));
    while (sockets.size > 0) await new Promise((resolve) => setTimeout(resolve, 1));
    await new Promise((resolve) => setImmediate(resolve));
  };
  /**
   * With no connection open (and answers OK), preconnects and waits until the server has accepted the connection;
   * returns the count of accepted connections before it.
   */
  const preconnected = async (): Promise<number> => {
    reply = (socket) => socket.write(OK);
    await closeAll();
    const before = accepted;
    preconnect(origin);
    while (accepted < before + 1) await new Promise((resolve) => setTimeout(resolve, 1));
    return before;
  };

  test('preconnect opens one connection, which the next request takes; with one idle already it opens none', { timeout: 5000 }, async () => {
    const before = await preconnected();
    assert.equal(heads.length, 0);
    assert.equal(await get('/1'), 'ok');
    preconnect(origin);
    assert.equal(await get('/2'), 'ok');
    assert.deepEqual([accepted - before, connections()], [1, [0, 0]]);
    assert.throws(() => preconnect(new URL('ftp://127.0.0.1/')), { name: 'TypeError', message: 'unsupported protocol ftp:' });
  });

  test('a preconnected connection the server closes, or one refused, is dropped: the next request opens its own', { timeout: 5000 }, async () => {
    await preconnected();
    await closeAll();
    assert.equal(await get('/after-close'), 'ok');
    assert.equal(heads.length, 1);

    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const nobody = new URL(`http://127.0.0.1:${(dead.address() as AddressInfo).port}`);
    await new Promise((resolve) => dead.close(resolve));
    preconnect(nobody);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await assert.rejects(httpFetch(nobody.origin, { method: 'GET', headers: {} }), { code: 'ECONNREFUSED' });
  });

  test('an answer before the request body is all written: the answer is read, the connection is not reused', { timeout: 5000 }, async () => {
    const early = await httpFetch(`${origin.origin}/early`, { method: 'PUT', headers: {}, body: new Uint8Array(32 * 1024 * 1024) });
    assert.equal(early.status, 413);
    reply = (socket) => socket.write(OK);
    assert.equal(await get('/next'), 'ok');
    assert.deepEqual([heads.length, heads[0]!.socket === heads[1]!.socket], [2, false]);
  });

  test('a body to the close: read whole, and its connection is not kept', async () => {
    reply = (socket) => socket.end('HTTP/1.1 200 OK\r\n\r\nuntil the end');
    assert.equal(await get('/'), 'until the end');
    reply = (socket) => socket.write(OK);
    await get('/');
    assert.notEqual(heads[0]!.socket, heads[1]!.socket);
  });

  test('a body that fails in the very chunk of its head rejects the read (the error came before any reader)', { timeout: 5000 }, async () => {
    reply = (socket) => socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n');
    const err = await httpFetch(origin.origin, { method: 'GET', headers: {} }).catch((e: unknown) => e) as NodeJS.ErrnoException;
    assert.deepEqual([err.code, err.message], ['EPROTO', 'invalid HTTP response: a malformed chunk size']);
  });

  test('a malformed answer rejects with EPROTO and its connection closes', async () => {
    let closed: Promise<unknown> | undefined;
    reply = (socket) => {
      closed = new Promise((resolve) => socket.on('close', resolve));
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\nok');
    };
    const err = await httpFetch(origin.origin, { method: 'GET', headers: {} }).catch((e: unknown) => e) as NodeJS.ErrnoException;
    assert.deepEqual([err.code, err.message], ['EPROTO', 'invalid HTTP response: an invalid Content-Length "1, 2"']);
    await closed;
  });

  test('a streamed body pauses the connection while its reader is behind (backpressure), and arrives whole', async () => {
    const size = 64 * 1024 * 1024;
    let written = 0;
    let drained!: () => void;
    const done = new Promise<void>((resolve) => (drained = resolve));
    reply = (socket) => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`);
      const piece = Buffer.alloc(64 * 1024, 7);
      const pump = (): void => {
        while (written < size) {
          written += piece.length;
          if (!socket.write(piece)) return void socket.once('drain', pump);
        }
        drained();
      };
      pump();
    };
    const { status, body } = await send(origin, { method: 'GET', path: '/big', headers: {} }).answer;
    await new Promise((resolve) => setTimeout(resolve, 100)); // the reader is away: the server must stall
    const stalledAt = written;
    // what the kernel's loopback buffers hold (a few MiB) and no more
    assert.ok(stalledAt < size / 4, `the server wrote ${stalledAt} of ${size} bytes to a reader that read nothing`);
    let received = 0;
    for await (const chunk of body) received += (chunk as Buffer).length;
    await done;
    assert.deepEqual([status, received], [200, size]);
  });

  test('a reader that gives up mid-body closes the connection; the next request gets a fresh one', async () => {
    let closed: Promise<unknown> | undefined;
    reply = (socket, head) => {
      if (head.startsWith('GET /big')) {
        closed = new Promise((resolve) => socket.on('close', resolve));
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789');
      } else socket.write(OK);
    };
    const { body } = await send(origin, { method: 'GET', path: '/big', headers: {} }).answer;
    body.destroy();
    await closed;
    assert.equal(await get('/next'), 'ok');
    assert.notEqual(heads[0]!.socket, heads[1]!.socket);
  });

  test('destroy() mid-body fails the body\'s reader with the given error; before the head, the answer', async () => {
    reply = (socket, head) => {
      if (head.startsWith('GET /half')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789');
    };
    const half = send(origin, { method: 'GET', path: '/half', headers: {} });
    const { body } = await half.answer;
    const reading = readText(body);
    half.destroy(new Error('gave up'));
    await assert.rejects(reading, /gave up/);
    const none = send(origin, { method: 'GET', path: '/none', headers: {} });
    none.destroy(Object.assign(new Error('late'), { name: 'TimeoutError' }));
    await assert.rejects(none.answer, { name: 'TimeoutError', message: 'late' });
  });

  test('the body\'s idle timer: onIdle fires when no byte comes, and is off once the body has ended', async () => {
    reply = (socket, head) => {
      if (head.startsWith('GET /stall')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n01234');
      else socket.write(OK);
    };
    const stalled = await send(origin, { method: 'GET', path: '/stall', headers: {} }).answer;
    stalled.body.resume();
    await new Promise<void>((resolve) => stalled.body.setTimeout(30, resolve));
    stalled.body.destroy();
    const quick = await send(origin, { method: 'GET', path: '/quick', headers: {} }).answer;
    let fired = false;
    quick.body.setTimeout(30, () => (fired = true));
    assert.equal(await readText(quick.body), 'ok');
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(fired, false);
  });
});

describe('wire over TLS', () => {
  const dir = join(import.meta.dirname, '../../fixtures/tls');
  let server: ReturnType<typeof createTlsServer>;
  let port = 0;
  let served: string[] = [];

  before(async () => {
    server = createTlsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')), ALPNProtocols: ['http/1.1'] }, (socket) => {
      socket.on('error', () => {});
      socket.once('data', (d) => {
        served.push(`${socket.servername || '-'} ${socket.alpnProtocol || '-'} ${socket.isSessionReused() ? 'resumed' : 'new'} ${d.toString('latin1').split('\r\n')[0]}`);
        socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 7\r\n\r\nsecured');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('https: the server\'s certificate is verified; trusted, the exchange carries SNI (names only) and ALPN http/1.1, and a new connection resumes the origin\'s TLS session', async () => {
    served = [];
    // not trusted by this process: refused before any request is written
    const err = await httpFetch(`https://localhost:${port}/`, { method: 'GET', headers: {} }).catch((e: unknown) => e) as NodeJS.ErrnoException;
    assert.equal(err.code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.deepEqual(served, []);
    // a process that trusts the fixture's certificate (NODE_EXTRA_CA_CERTS is read at start-up)
    const script = `import { httpFetch } from '#lib/vod';
      for (const host of ['localhost', 'localhost', '127.0.0.1']) {
        const res = await httpFetch('https://' + host + ':${port}/tls?x=1', { method: 'GET', headers: {} });
        console.log(res.status, await res.text());
      }`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: join(import.meta.dirname, '../../..'), env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem'), NODE_OPTIONS: '' },
    });
    assert.equal(stdout, '200 secured\n200 secured\n200 secured\n');
    assert.deepEqual(served, ['localhost http/1.1 new GET /tls?x=1 HTTP/1.1', 'localhost http/1.1 resumed GET /tls?x=1 HTTP/1.1', '- http/1.1 new GET /tls?x=1 HTTP/1.1']);
  });
});
