// signQuery builds and signs the canonical request itself: Smithy's presign(), over the same parameters, is the
// oracle for every signature and every parameter it sends.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { type Credentials, parseQuery, signQuery, SigningError, verifyRequest } from '#lib/signing';

const t0 = new Date('2024-05-06T07:08:09Z');
const longTerm: Credentials = { accessKeyId: 'AKLTtest', secretAccessKey: 'test-secret/+=' };
const temporary: Credentials = { accessKeyId: 'AKTPtemp', secretAccessKey: 'temp-secret', sessionToken: 'STS2eyJ0ZXN0Ijp0cnVlfQ==' };

/** What presign() makes of the same request: the protocol 6.2 form, X-Amz-NotSignBody and X-Amz-SignedQueries passed in. */
async function presigned(method: string, query: Record<string, string>, expires: number, credentials: Credentials, region: string, now: Date) {
  const keys = Object.keys(query).filter((k) => k !== 'X-Amz-Expires');
  const added = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-NotSignBody', 'X-Amz-SignedHeaders', 'X-Amz-SignedQueries'];
  if (credentials.sessionToken) added.push('X-Amz-Security-Token');
  const q: Record<string, string> = { ...Object.fromEntries(keys.map((k) => [k, query[k]!])), 'X-Amz-NotSignBody': '', 'X-Amz-SignedQueries': keys.concat(added).sort().join(';') };
  const signer = new SignatureV4({ credentials, region, service: 'vod', sha256: Hash.bind(null, 'sha256') });
  const out = await signer.presign(new HttpRequest({ method, protocol: 'https:', hostname: '', path: '/', query: q, headers: {} }), { signingDate: now, expiresIn: expires });
  return out.query as Record<string, string>;
}

// keys: anything but the signer's own X-Amz-* names and `__proto__` (Smithy's query clone assigns keys, which
// drops that one: tested on its own below); values: any string, unicode and reserved characters included
const keyArb = fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }).filter((k) => !/^x-amz-/i.test(k) && k !== '__proto__');
const queryArb = fc.dictionary(keyArb, fc.string({ maxLength: 24, unit: 'grapheme' }), { maxKeys: 6 });

describe('signQuery against Smithy presign()', () => {
  test('same signature and same parameters for any query, credentials, method, region, expiry and time', async () => {
    await fc.assert(fc.asyncProperty(
      queryArb, fc.constantFrom('GET', 'POST'), fc.constantFrom(longTerm, temporary), fc.constantFrom('cn-north-1', 'ap-singapore-1', 'us-east-1'),
      fc.integer({ min: 1, max: 604_800 }), fc.boolean(), fc.integer({ min: 0, max: 4_000_000_000 }),
      async (params, method, credentials, region, expires, inQuery, seconds) => {
        const now = new Date(seconds * 1000);
        const query = { Action: 'ApplyUpload', Version: '2018-01-01', ...params, ...(inQuery ? { 'X-Amz-Expires': String(expires) } : {}) };
        const ours = await signQuery({ method, query, ...(inQuery ? {} : { expiresIn: expires }) }, { credentials, region, now });
        const oracle = await presigned(method, query, expires, credentials, region, now);
        assert.deepEqual(Object.fromEntries(parseQuery(ours)), oracle);
      },
    ), { numRuns: 300 });
  });

  test('the parameters keep the caller\'s order, then the X-Amz-* keys in the original SDK\'s order', async () => {
    const q = await signQuery({ method: 'GET', query: { Action: 'GetPlayInfo', Version: '2019-03-15', video_id: 'v 1/é' }, expiresIn: 60 }, { credentials: temporary, region: 'cn-north-1', now: t0 });
    assert.deepEqual(parseQuery(q).map(([k]) => k), [
      'Action', 'Version', 'video_id', 'X-Amz-Expires', 'X-Amz-Date', 'X-Amz-NotSignBody', 'X-Amz-Credential', 'X-Amz-Algorithm',
      'X-Amz-SignedHeaders', 'X-Amz-SignedQueries', 'X-Amz-Security-Token', 'X-Amz-Signature',
    ]);
    assert.match(q, /^Action=GetPlayInfo&Version=2019-03-15&video_id=v%201%2F%C3%A9&X-Amz-Expires=60&X-Amz-Date=20240506T070809Z&/);
  });

  test('a parameter only the signer may set is refused, in any case; X-Amz-Expires is the caller\'s', async () => {
    for (const key of ['X-Amz-Date', 'x-amz-signature', 'X-Amz-Credential', 'X-AMZ-SECURITY-TOKEN', 'X-Amz-SignedQueries']) {
      await assert.rejects(signQuery({ method: 'GET', query: { Action: 'GetPlayInfo', [key]: 'x' } }, { credentials: longTerm, region: 'cn-north-1', now: t0 }),
        (err: unknown) => err instanceof SigningError && err.message === `query parameter ${key} is set by the signer, not the caller`);
    }
    assert.match(await signQuery({ method: 'GET', query: { 'X-Amz-Expires': '30', Action: 'GetPlayInfo' } }, { credentials: longTerm, region: 'cn-north-1', now: t0 }), /^X-Amz-Expires=30&Action=GetPlayInfo&/);
  });

  test('a parameter named __proto__ is signed like any other and verifies', async () => {
    const query = JSON.parse('{"Action":"GetPlayInfo","Version":"2019-03-15","__proto__":"x y"}') as Record<string, string>;
    const q = await signQuery({ method: 'GET', query, expiresIn: 60 }, { credentials: longTerm, region: 'cn-north-1', now: t0 });
    assert.match(q, /^Action=GetPlayInfo&Version=2019-03-15&__proto__=x%20y&X-Amz-Expires=60&/);
    assert.match(q, /X-Amz-SignedQueries=Action%3BVersion%3BX-Amz-Algorithm%3BX-Amz-Credential%3BX-Amz-Date%3BX-Amz-Expires%3BX-Amz-NotSignBody%3BX-Amz-SignedHeaders%3BX-Amz-SignedQueries%3B__proto__&/);
    const verdict = await verifyRequest({ method: 'GET', path: '/', rawQuery: q, headers: {}, body: Buffer.alloc(0) }, { lookupSecret: (id) => (id === longTerm.accessKeyId ? longTerm.secretAccessKey : undefined), region: 'cn-north-1', now: t0 });
    assert.equal(verdict.ok, true);
  });
});
