import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { authorizeRequest, checkApiKey, HttpError } from '#lib/http';
import { scrubText } from '../../../lib/http/redact.ts';

const KEYS = ['first-api-key-0001', 'second-api-key-0002'];

describe('checkApiKey', () => {
  it('accepts a configured key as Bearer or x-api-key, any header case', () => {
    const a = checkApiKey({ authorization: 'Bearer first-api-key-0001' }, KEYS);
    const b = checkApiKey({ 'X-Api-Key': 'first-api-key-0001' }, KEYS);
    const c = checkApiKey({ Authorization: 'bearer second-api-key-0002' }, KEYS);
    assert.equal(a.ok && b.ok && c.ok, true);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.match(a.ok ? a.keyId : '', /^[0-9a-f]{12}$/);
  });

  it('refuses missing and garbled credentials with 401', () => {
    const missing = { ok: false, status: 401, message: 'missing credentials: send \'Authorization: Bearer\' and the API key, or x-api-key' };
    const garbled = { ok: false, status: 401, message: 'malformed credentials: send \'Authorization: Bearer\' and the API key, or x-api-key' };
    assert.deepEqual(checkApiKey(undefined, KEYS), missing);
    assert.deepEqual(checkApiKey({}, KEYS), missing);
    assert.deepEqual(checkApiKey({ 'x-api-key': '' }, KEYS), missing);
    assert.deepEqual(checkApiKey({ authorization: 'Basic Zm9vOmJhcg==' }, KEYS), garbled);
    assert.deepEqual(checkApiKey({ authorization: 'Bearer' }, KEYS), garbled);
    assert.deepEqual(checkApiKey({ authorization: 'Bearer a b' }, KEYS), garbled);
    assert.deepEqual(checkApiKey({ authorization: `Bearer ${'k'.repeat(513)}` }, KEYS), garbled);
    assert.deepEqual(checkApiKey({ 'x-api-key': 'key with spaces' }, KEYS), garbled);
    assert.deepEqual(checkApiKey({ 'x-api-key': 'ключ' }, KEYS), garbled);
    // logged as is: the guidance holds nothing the log redaction takes for a credential
    assert.equal(scrubText(missing.message), missing.message);
  });

  it('refuses a wrong key with 403, also when no key is configured', () => {
    const wrong = { ok: false, status: 403, message: 'invalid API key' };
    assert.deepEqual(checkApiKey({ authorization: 'Bearer first-api-key-0002' }, KEYS), wrong);
    assert.deepEqual(checkApiKey({ 'x-api-key': 'first-api-key-000' }, KEYS), wrong);
    assert.deepEqual(checkApiKey({ 'x-api-key': 'first-api-key-0001' }, []), wrong);
  });

  it('prefers a Bearer key over x-api-key', () => {
    assert.equal(checkApiKey({ authorization: 'Bearer wrong-key-aaaaaaa', 'x-api-key': 'first-api-key-0001' }, KEYS).ok, false);
  });
});

describe('authorizeRequest', () => {
  it('throws 401 / 403 HttpErrors', () => {
    for (const [headers, status, name] of [[{}, 401, 'Unauthorized'], [{ 'x-api-key': 'nope-nope-nope' }, 403, 'Forbidden']] as const) {
      try {
        authorizeRequest({ headers }, KEYS);
        assert.fail('expected a refusal');
      } catch (err) {
        assert.ok(err instanceof HttpError);
        assert.equal(err.statusCode, status);
        assert.equal(err.name, name);
      }
    }
    assert.match(authorizeRequest({ headers: { 'x-api-key': 'second-api-key-0002' } }, KEYS), /^[0-9a-f]{12}$/);
  });
});
