import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addSecrets, isSecretKey, logger, redactingReplacer, scrubText } from '#lib/http';
import fc from 'fast-check';
import { SECRET_TEXT } from '../../../lib/http/redact.ts';
import { captureLogs } from './log-capture.ts';

describe('redaction', () => {
  it('masks secret-named fields at any depth', () => {
    const text = JSON.stringify({
      SecretAccessKey: 's', secretAccessKey: 's', SessionToken: 't', sessionToken: 't', token: 't', Authorization: 'a',
      headers: { 'x-api-key': 'k', authorization: 'a', cookie: 'c' }, apiKeys: ['k'], callbackKey: 'c', AccessKeyId: 'AKTPabc', vid: 'v0',
    }, redactingReplacer);
    assert.deepEqual(JSON.parse(text), {
      SecretAccessKey: '[REDACTED]', secretAccessKey: '[REDACTED]', SessionToken: '[REDACTED]', sessionToken: '[REDACTED]', token: '[REDACTED]',
      Authorization: '[REDACTED]', headers: { 'x-api-key': '[REDACTED]', authorization: '[REDACTED]', cookie: '[REDACTED]' },
      apiKeys: '[REDACTED]', callbackKey: '[REDACTED]', AccessKeyId: 'AKTPabc', vid: 'v0',
    });
  });

  it('masks secret-looking text', () => {
    assert.equal(scrubText('url https://h/?Action=A&X-Amz-Signature=abc123&X-Amz-Security-Token=STS2xyz&Vid=v'), 'url https://h/?Action=A&X-Amz-Signature=[REDACTED]&X-Amz-Security-Token=[REDACTED]&Vid=v');
    assert.equal(scrubText('Authorization: Bearer my-key-123'), 'Authorization: Bearer [REDACTED]');
    assert.equal(scrubText('{"SecretAccessKey":"abc","sessionToken": "t1", "x-api-key=k1; vid=v0'), '{"SecretAccessKey":"[REDACTED]","sessionToken": "[REDACTED]", "x-api-key=[REDACTED]; vid=v0');
    assert.equal(scrubText('AWS4-HMAC-SHA256 Credential=AK/x, SignedHeaders=host, Signature=0123456789abcdef0123'), 'AWS4-HMAC-SHA256 Credential=AK/x, SignedHeaders=host, Signature=[REDACTED]');
    assert.equal(scrubText(`token ${Buffer.from('{"Version":"v1","GetPlayInfoToken":"x"}').toString('base64')}`), 'token [REDACTED]');
  });

  it('masks a secret-named value when the name runs at most 128 letters past its cue (bounded: no quadratic scan of long letter runs)', () => {
    assert.equal(scrubText(`secret${'A'.repeat(128)}=hunter22`), `secret${'A'.repeat(128)}=[REDACTED]`);
    assert.equal(scrubText(`secret${'A'.repeat(129)}=hunter22`), `secret${'A'.repeat(129)}=hunter22`);
    // a run of 12,000 cues with no '=' after them is left as it is (the unbounded pattern took 0.7 s on 60 KB of it)
    const run = `{"${'token'.repeat(12000)} x":1}`;
    assert.equal(scrubText(run), run);
  });

  it('names a secret field whatever its case and separators, and no other', () => {
    const secret = ['SecretAccessKey', 'secret_access_key', 'SessionToken', 'X-Amz-Security-Token', 'password', 'PASSWD', 'Authorization',
      'x-api-key', 'X-Api-Key', 'apiKey', 'API_KEYS', 'api-keys', 'callbackKey', 'CALLBACK_KEY', 'private-key', 'PrivateKeyPem', 'Signature',
      'set-cookie', 'Cookie', 'cookieJar', 'sk', 'SK', 'credentials', 'AwsCredential'];
    const plain = ['AccessKeyId', 'accessKeyId', 'apiKeyId', 'keyId', 'ak', 'task', 'skip', 'credentialScope', 'vid', 'SpaceName', 'key',
      'Key', 'route', 'method', 'requestId', 'function_request_id'];
    assert.deepEqual(secret.filter((k) => !isSecretKey(k)), []);
    assert.deepEqual(plain.filter((k) => isSecretKey(k)), []);
  });

  it('runs the text patterns whatever the case of what they look for', () => {
    assert.equal(scrubText('x-amz-signature=abc123&x-amz-credential=AK%2F1'), 'x-amz-signature=[REDACTED]&x-amz-credential=[REDACTED]');
    assert.equal(scrubText('BEARER my-key-123'), 'BEARER [REDACTED]');
    assert.equal(scrubText('SECRET_ACCESS_KEY=abc'), 'SECRET_ACCESS_KEY=[REDACTED]');
    const plain = 'GET /videos/v0a/play-info 200 in 12 ms from 127.0.0.1';
    assert.equal(scrubText(plain), plain);
  });

  it('masks text exactly as running every pattern would: the cues skip only patterns that cannot match', () => {
    const fragments = ['STS2', 'sts2', 'abcdefgh1234', 'X-Amz-Signature=', 'x-amz-credential=', 'X-AMZ-SECURITY-TOKEN=', 'Signature=', 'signature',
      '0123456789abcdef0123', 'secret', 'Token', 'PASSWORD', 'passwd', 'api_key', 'Api-Key', 'callback-key', ':', '=', ' ', '"', "'", 'Bearer ',
      'bearer\t', 'eyJ', 'eyJhbGciOiJIUzI1NiJ9', '.', '&', ';', ',', 'x', '/tokens/upload', 'POST /sts2', '\u212a', '\u017f', 'é'];
    const everyPattern = (text: string) => SECRET_TEXT.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
    // a case-insensitive pattern's cues are looked for in lower-cased text: an upper-case cue would never be found
    assert.deepEqual(SECRET_TEXT.filter(([pattern, , cues]) => pattern.ignoreCase && cues.some((cue) => cue !== cue.toLowerCase())), []);
    fc.assert(fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 12 }), (parts) => {
      const text = parts.join('');
      assert.equal(scrubText(text), everyPattern(text));
    }), { numRuns: 3000, seed: 7 });
  });

  it('masks registered secrets wherever they appear', async () => {
    addSecrets('registered-secret-value', 'short');
    const { lines } = await captureLogs(async () => logger.info('saw registered-secret-value in a message', { note: 'and registered-secret-value here', w: 'short' }));
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.includes('registered-secret-value'), false);
    assert.equal(lines[0]?.includes('"w":"short"'), true);
  });
});
