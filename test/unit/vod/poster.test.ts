import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { MAX_CACHED_SPACES, PosterDomains, VodClient, VodError, posterUrl, weightedPick } from '#lib/vod';
import { closedPort } from '../../support/ports.ts';
import { VodTestServer, envelope } from '../../support/vod-test-server.ts';

const credentials = { accessKeyId: 'AKLTposterTest01', secretAccessKey: 'poster-secret' };

describe('posterUrl formats (protocol 7)', () => {
  const base = { SpaceName: 's', Uri: 'tos-cn-v-0000/abc' };
  const cases: Array<[Parameters<typeof posterUrl>[1], string]> = [
    [base, 'https://d.test/tos-cn-v-0000/abc~tplv-vod-noop.image'],
    [{ ...base, Https: false }, 'http://d.test/tos-cn-v-0000/abc~tplv-vod-noop.image'],
    [{ ...base, Template: 'tplv-vod-obj', Format: 'webp' }, 'https://d.test/tos-cn-v-0000/abc~tplv-vod-obj.webp'],
    [{ ...base, Template: 'tplv-vod-noop', Width: 9, Height: 9 }, 'https://d.test/tos-cn-v-0000/abc~tplv-vod-noop.image'],
    [{ ...base, Template: 'tplv-vod-rs', Width: 320, Height: 180 }, 'https://d.test/tos-cn-v-0000/abc~tplv-vod-rs:320:180.image'],
    [{ ...base, Template: 'tplv-vod-cc', Width: 100, Height: 100, Format: 'jpeg' }, 'https://d.test/tos-cn-v-0000/abc~tplv-vod-cc:100:100.jpeg'],
    [{ ...base, Template: 'tplv-vod-cs', Width: 0, Height: 720, Format: 'heic', Https: false }, 'http://d.test/tos-cn-v-0000/abc~tplv-vod-cs:0:720.heic'],
  ];
  for (const [params, url] of cases) test(url, () => assert.equal(posterUrl('d.test', params), url));

  test('a resizing template without Width/Height is InvalidParameter', () => {
    assert.throws(() => posterUrl('d.test', { ...base, Template: 'tplv-vod-rs' }), { name: 'VodError', code: 'InvalidParameter' });
  });
});

describe('weightedPick', () => {
  const w = { a: 1, b: 3, z: 0, n: -2 };
  test('draws proportionally to the weights, in key order', () => {
    assert.deepEqual([0, 0.24, 0.25, 0.99].map((r) => weightedPick(w, () => r)), ['a', 'a', 'b', 'b']);
  });
  test('excludes a key (the backup draw) and never picks non-positive weights', () => {
    assert.deepEqual([0, 0.5, 0.99].map((r) => weightedPick(w, () => r, 'b')), ['a', 'a', 'a']);
    assert.equal(weightedPick(w, () => 0, 'a'), 'b');
    assert.equal(weightedPick({ only: 1 }, () => 0.3, 'only'), undefined);
    assert.equal(weightedPick({}, () => 0.3), undefined);
  });
  test('frequencies follow the weights over a uniform grid of draws', () => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < 1000; i++) {
      const k = weightedPick({ a: 1, b: 3 }, () => i / 1000)!;
      counts[k] = (counts[k] ?? 0) + 1;
    }
    assert.deepEqual(counts, { a: 250, b: 750 });
  });
});

describe('PosterDomains cache', () => {
  let t = 0;
  let loads = 0;
  let answer: Record<string, number> | Error | undefined;
  const domains = (fallback?: Record<string, number>) =>
    new PosterDomains({
      load: async () => {
        loads++;
        if (answer instanceof Error) throw answer;
        return answer;
      },
      ...(fallback ? { fallback } : {}),
      now: () => new Date(t),
      uniform: () => 0,
    });
  beforeEach(() => {
    t = 0;
    loads = 0;
  });

  test('caches per space for 10 s, then refreshes lazily on the next call', async () => {
    answer = { 'a.test': 1 };
    const d = domains();
    assert.deepEqual(await d.weights('s1'), { 'a.test': 1 });
    t = 9_999;
    answer = { 'b.test': 1 };
    assert.deepEqual(await d.weights('s1'), { 'a.test': 1 });
    assert.equal(loads, 1);
    await d.weights('s2');
    assert.equal(loads, 2, 'another space has its own entry');
    t = 10_000;
    assert.deepEqual(await d.weights('s1'), { 'b.test': 1 });
    assert.equal(loads, 3);
  });

  test('concurrent callers share one load', async () => {
    answer = { 'a.test': 1 };
    const d = domains();
    await Promise.all([d.weights('s'), d.weights('s'), d.weights('s')]);
    assert.equal(loads, 1);
  });

  test('fallback weights on failure or empty answers, cached as long', async () => {
    const fallback = { 'fb.test': 1 };
    answer = new Error('down');
    const d = domains(fallback);
    assert.deepEqual(await d.weights('s'), fallback);
    assert.deepEqual(await d.weights('s'), fallback);
    assert.equal(loads, 1);
    answer = { 'zero.test': 0 };
    t = 10_000;
    assert.deepEqual(await d.weights('s'), fallback);
    answer = { 'ok.test': 2 };
    t = 20_000;
    assert.deepEqual(await d.weights('s'), { 'ok.test': 2 });
  });

  test('no domain and no fallback: the service named none (the caller\'s space) or could not be asked', async () => {
    answer = undefined;
    await assert.rejects(domains().pick('s'), { name: 'VodError', code: 'ResourceNotFound', message: 'space s has no CDN domain for posters' });
    answer = { 'zero.test': 0 };
    await assert.rejects(domains().pick('s'), { name: 'VodError', code: 'ResourceNotFound' });
    answer = new VodError({ code: 'ResourceNotFound', message: 'Space s not found', httpStatus: 404, action: 'GetCdnDomainWeights' });
    await assert.rejects(domains().pick('s'), { name: 'VodError', code: 'ResourceNotFound', message: 'space s has no CDN domain for posters' });
    for (const failure of [new Error('down'), new VodError({ code: 'SignatureDoesNotMatch', message: 'no', httpStatus: 403, action: 'GetCdnDomainWeights' })]) {
      answer = failure;
      await assert.rejects(domains().pick('s'), { name: 'VodError', code: 'NoPosterDomain', message: 'no CDN domain for space s and no fallback weights' });
    }
  });

  test(`keeps the weights of the ${MAX_CACHED_SPACES} spaces loaded last (callers may name any space)`, async () => {
    answer = { 'a.test': 1 };
    const d = domains();
    for (let i = 0; i <= MAX_CACHED_SPACES; i++) await d.weights(`s${i}`);
    assert.equal(loads, MAX_CACHED_SPACES + 1);
    await d.weights(`s${MAX_CACHED_SPACES}`);
    await d.weights('s1');
    assert.equal(loads, MAX_CACHED_SPACES + 1, 'the latest spaces are still cached');
    await d.weights('s0');
    assert.equal(loads, MAX_CACHED_SPACES + 2, 'the space loaded longest ago was let go');
  });
});

describe('VodClient.getPosterUrl', () => {
  let server: VodTestServer;
  before(async () => {
    server = await new VodTestServer().start();
  });
  after(() => server.close());

  test('main and backup drawn by weight from GetCdnDomainWeights; backup excludes main', async () => {
    server.results.set('GetCdnDomainWeights', (r: { query: Record<string, string> }) => ({ [r.query.SpaceName!]: { 'p1.test': 1, 'p2.test': 1, 'p3.test': 2 } }));
    const draws = [0.5, 0.0];
    const vod = new VodClient({ endpoint: server.origin, credentials, uniform: () => draws.shift()! });
    const urls = await vod.getPosterUrl({ SpaceName: 's1', Uri: 'u/1', Template: 'tplv-vod-rs', Width: 64, Height: 48 });
    // 0.5 * 4 = 2 -> p3 (range [2, 4)); backup among p1, p2: 0 -> p1
    // the endpoint is http (a local stand-in), so are the poster URLs unless Https says otherwise
    assert.deepEqual(urls, { MainUrl: 'http://p3.test/u/1~tplv-vod-rs:64:48.image', BackupUrl: 'http://p1.test/u/1~tplv-vod-rs:64:48.image' });
    assert.equal(server.calls('GetCdnDomainWeights').length, 1);
  });

  test('a single domain serves as its own backup', async () => {
    server.results.set('GetCdnDomainWeights', { solo: { 'only.test': 5 } });
    const vod = new VodClient({ endpoint: server.origin, credentials, uniform: () => 0.7 });
    assert.deepEqual(await vod.getPosterUrl({ SpaceName: 'solo', Uri: 'x', Https: false }), {
      MainUrl: 'http://only.test/x~tplv-vod-noop.image', BackupUrl: 'http://only.test/x~tplv-vod-noop.image',
    });
  });

  test('GetCdnDomainWeights failing gives the fallback weights at once (no retries)', async () => {
    server.requests.length = 0;
    server.intercept = () => envelope('GetCdnDomainWeights', 500, undefined, { Code: 'InternalError', Message: 'x' });
    const vod = new VodClient({ endpoint: server.origin, credentials, uniform: () => 0, posterFallbackWeights: { 'fb1.test': 1, 'fb2.test': 1 } });
    assert.deepEqual(await vod.getPosterUrl({ SpaceName: 'down', Uri: 'x', Https: true }), {
      MainUrl: 'https://fb1.test/x~tplv-vod-noop.image', BackupUrl: 'https://fb2.test/x~tplv-vod-noop.image',
    });
    assert.equal(server.requests.length, 1);
    server.intercept = undefined;
  });

  test('an https endpoint gives https poster URLs by default', async () => {
    const vod = new VodClient({ endpoint: `https://127.0.0.1:${await closedPort()}`, credentials, uniform: () => 0, posterFallbackWeights: { 'fb.test': 1 } });
    assert.equal((await vod.getPosterUrl({ SpaceName: 's', Uri: 'x' })).MainUrl, 'https://fb.test/x~tplv-vod-noop.image');
  });

  test('bad template parameters are rejected before any request', async () => {
    server.requests.length = 0;
    const vod = new VodClient({ endpoint: server.origin, credentials });
    await assert.rejects(vod.getPosterUrl({ SpaceName: 's', Uri: 'x', Template: 'tplv-vod-cc' }), { code: 'InvalidParameter' });
    assert.equal(server.requests.length, 0);
  });
});
