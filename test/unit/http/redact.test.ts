import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addSecrets, logger, redactingReplacer, scrubText } from '#lib/http';
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

  it('masks registered secrets wherever they appear', async () => {
    addSecrets('registered-secret-value', 'short');
    const { lines } = await captureLogs(async () => logger.info('saw registered-secret-value in a message', { note: 'and registered-secret-value here', w: 'short' }));
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.includes('registered-secret-value'), false);
    assert.equal(lines[0]?.includes('"w":"short"'), true);
  });
});
