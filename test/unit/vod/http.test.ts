import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, beforeEach, describe, mock, test } from 'node:test';
import { httpFetch } from '#lib/vod';

interface Seen { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer; socket: Socket }

/** A loopback server whose answer each test sets; it records what arrived, and on which connection. */
describe('httpFetch', () => {
  let server: Server;
  let origin = '';
  let seen: Seen[] = [];
  const sockets = new Set<Socket>();
  let answer: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), socket: req.socket });
        answer(req, res);
      });
    });
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    seen = [];
  });
  after(() => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  }));

  test('GET: status, headers by any case, the whole body as UTF-8 (a character split across chunks)', async () => {
    answer = (_req, res) => {
      res.writeHead(201, { 'X-Tt-Logid': 'log-1', 'Set-Cookie': ['a=1', 'b=2'] });
      const text = Buffer.from('{"v":"été"}', 'utf8');
      res.write(text.subarray(0, 8)); // ends inside the two-byte é
      setTimeout(() => res.end(text.subarray(8)), 5);
    };
    const res = await httpFetch(`${origin}/?Action=GetPlayInfo&Version=2019-03-15`, { method: 'GET', headers: { Accept: 'application/json', 'X-Date': '20200101T000000Z' } });
    assert.deepEqual([res.status, await res.text()], [201, '{"v":"été"}']);
    assert.deepEqual([res.headers.get('x-tt-logid'), res.headers.get('X-TT-LOGID'), res.headers.get('set-cookie'), res.headers.get('absent')], ['log-1', 'log-1', 'a=1, b=2', null]);
    const [req] = seen;
    assert.deepEqual([req?.method, req?.url, req?.headers.host, req?.headers.accept, req?.headers['x-date'], req?.headers['content-length']],
      ['GET', '/?Action=GetPlayInfo&Version=2019-03-15', origin.slice('http://'.length), 'application/json', '20200101T000000Z', undefined]);
  });

  test('bodies arrive byte for byte with their Content-Length: bytes as given, a string as UTF-8', async () => {
    answer = (_req, res) => res.end('ok');
    const bytes = new Uint8Array(3 * 65536 + 7).map((_, i) => (i * 31) & 0xff);
    await httpFetch(`${origin}/part`, { method: 'PUT', headers: {}, body: bytes.subarray(7) });
    await httpFetch(`${origin}/api`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"é":1}' });
    assert.deepEqual(seen.map((s) => [s.method, s.headers['content-length'], s.headers['transfer-encoding']]), [['PUT', String(3 * 65536), undefined], ['POST', '8', undefined]]);
    assert.ok(seen[0]?.body.equals(bytes.subarray(7)));
    assert.equal(seen[1]?.body.toString('utf8'), '{"é":1}');
  });

  test('keep-alive: consecutive requests share one connection', async () => {
    answer = (_req, res) => res.end('ok');
    for (let i = 0; i < 3; i++) await (await httpFetch(`${origin}/${i}`, { method: 'GET', headers: {} })).text();
    assert.deepEqual([seen.length, new Set(seen.map((s) => s.socket)).size], [3, 1]);
  });

  test('a timeout before the answer rejects with the signal\'s TimeoutError and closes the connection', async () => {
    let closed: Promise<void> | undefined;
    answer = (req) => { closed = new Promise((resolve) => req.socket.on('close', () => resolve())); }; // never answers
    const err = await httpFetch(`${origin}/slow`, { method: 'GET', headers: {}, signal: AbortSignal.timeout(50) }).catch((e: unknown) => e);
    assert.equal((err as Error).name, 'TimeoutError');
    await closed;
  });

  test('a timeout in the middle of the body rejects too (the timeout covers the whole response)', async () => {
    answer = (_req, res) => { res.writeHead(200, { 'content-length': '10' }); res.write('12345'); };
    const err = await httpFetch(`${origin}/half`, { method: 'GET', headers: {}, signal: AbortSignal.timeout(80) }).catch((e: unknown) => e);
    assert.equal((err as Error).name, 'TimeoutError');
  });

  test('timeoutMs: no answer in time rejects with a TimeoutError and closes the connection', async (t) => {
    // setTimeout mocked: the timeout fires at 50 ms of the test's clock, not before, whatever the machine's load
    mock.timers.enable({ apis: ['setTimeout'] });
    t.after(() => mock.timers.reset());
    let closed: Promise<void> | undefined;
    let arrived!: () => void;
    const seenRequest = new Promise<void>((resolve) => (arrived = resolve));
    answer = (req) => { closed = new Promise((resolve) => req.socket.on('close', () => resolve())); arrived(); }; // never answers
    let outcome: unknown = 'pending';
    const done = httpFetch(`${origin}/slow`, { method: 'GET', headers: {}, timeoutMs: 50 }).then((r) => r, (e: unknown) => e).then((o) => (outcome = o));
    const settled = (): unknown => outcome;
    await seenRequest;
    mock.timers.tick(49);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled(), 'pending', 'no timeout before 50 ms');
    mock.timers.tick(1);
    await new Promise((resolve) => setImmediate(resolve));
    const err = settled() as Error;
    assert.deepEqual([err.name, err.message], ['TimeoutError', 'no complete response within 50 ms']);
    await done;
    await closed;
  });

  test('timeoutMs covers the body; an exchange that ends in time leaves no timer behind', async () => {
    answer = (_req, res) => { res.writeHead(200, { 'content-length': '10' }); res.write('12345'); };
    const err = await httpFetch(`${origin}/half`, { method: 'GET', headers: {}, timeoutMs: 80 }).catch((e: unknown) => e);
    assert.equal((err as Error).name, 'TimeoutError');
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    answer = (_req, res) => res.end('done');
    const res = await httpFetch(`${origin}/quick`, { method: 'GET', headers: {}, timeoutMs: 60_000 });
    assert.deepEqual([await res.text(), timers()], ['done', before]);
  });

  test('a connection closed before the body ends rejects with ECONNRESET', async () => {
    answer = (_req, res) => {
      res.writeHead(200, { 'content-length': '10' });
      res.write('12345', () => res.socket?.destroy());
    };
    const err = await httpFetch(`${origin}/cut`, { method: 'GET', headers: {} }).catch((e: unknown) => e);
    assert.equal((err as NodeJS.ErrnoException).code, 'ECONNRESET');
  });

  test('a connection dropped without an answer rejects with ECONNRESET', async () => {
    answer = (req) => req.socket.destroy();
    const err = await httpFetch(`${origin}/drop`, { method: 'POST', headers: {}, body: 'x' }).catch((e: unknown) => e);
    assert.equal((err as NodeJS.ErrnoException).code, 'ECONNRESET');
  });

  test('a refused connection rejects with ECONNREFUSED', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const err = await httpFetch(`http://127.0.0.1:${port}/`, { method: 'GET', headers: {} }).catch((e: unknown) => e);
    assert.equal((err as NodeJS.ErrnoException).code, 'ECONNREFUSED');
  });

  test('an aborted signal sends nothing; an unknown scheme is refused', async () => {
    const controller = new AbortController();
    controller.abort(new Error('sibling part failed'));
    const err = await httpFetch(`${origin}/never`, { method: 'GET', headers: {}, signal: controller.signal }).catch((e: unknown) => e);
    assert.equal((err as Error).message, 'sibling part failed');
    await assert.rejects(httpFetch('ftp://127.0.0.1/x', { method: 'GET', headers: {} }), /unsupported protocol ftp:/);
    assert.equal(seen.length, 0);
  });
});
