import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as v from 'valibot';
import { BadRequest, HttpError, intParam, boolParam, list, parseJsonBody, parsePath, parseQuery, seconds, Vid, word } from '#lib/http';

const Body = v.strictObject({
  vid: Vid,
  expiresIn: v.optional(seconds(60, 3600)),
  vids: v.optional(list(Vid, 1, 3)),
  scope: v.optional(v.picklist(['play', 'upload'])),
});

function event(body: string | undefined, headers: Record<string, string> = { 'content-type': 'application/json' }, isBase64Encoded = false) {
  return { body, headers, isBase64Encoded };
}

function refusal(fn: () => unknown): { status: number; name: string; message: string } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof HttpError, `not an HttpError: ${String(err)}`);
    return { status: err.statusCode, name: err.name, message: err.message };
  }
  assert.fail('expected an HttpError');
}

describe('parseJsonBody', () => {
  it('returns the validated body', () => {
    assert.deepEqual(parseJsonBody(event('{"vid":"v0abc","expiresIn":600}'), Body), { vid: 'v0abc', expiresIn: 600 });
  });

  it('accepts a charset and base64 bodies', () => {
    const b64 = Buffer.from('{"vid":"v0abc"}').toString('base64');
    assert.deepEqual(parseJsonBody(event(b64, { 'Content-Type': 'application/json; charset=utf-8' }, true), Body), { vid: 'v0abc' });
  });

  it('treats an absent body as {}', () => {
    assert.deepEqual(parseJsonBody(event(undefined, {}), v.strictObject({ a: v.optional(v.string()) })), {});
    assert.deepEqual(refusal(() => parseJsonBody(event(undefined, {}), Body)), { status: 400, name: 'BadRequest', message: 'body.vid: is required' });
  });

  const cases: Array<[string, string | undefined, Record<string, string> | undefined, { status: number; name: string; message: string }]> = [
    ['wrong content type', '{"vid":"v"}', { 'content-type': 'text/plain' }, { status: 415, name: 'UnsupportedMediaType', message: 'content-type must be application/json' }],
    ['no content type', '{"vid":"v"}', {}, { status: 415, name: 'UnsupportedMediaType', message: 'content-type must be application/json' }],
    ['json lookalike type', '{"vid":"v"}', { 'content-type': 'application/jsonp' }, { status: 415, name: 'UnsupportedMediaType', message: 'content-type must be application/json' }],
    ['invalid JSON', '{"vid":', undefined, { status: 400, name: 'BadRequest', message: 'body: is not valid JSON' }],
    ['array body', '[1]', undefined, { status: 400, name: 'BadRequest', message: 'body: must be a JSON object, got an array' }],
    ['null body', 'null', undefined, { status: 400, name: 'BadRequest', message: 'body: must be a JSON object, got null' }],
    ['unknown field', '{"vid":"v0","policy":{}}', undefined, { status: 400, name: 'BadRequest', message: 'body.policy: is not an allowed field' }],
    ['__proto__ field', '{"vid":"v0","__proto__":{"x":1}}', undefined, { status: 400, name: 'BadRequest', message: 'body.__proto__: is not an allowed field' }],
    ['wrong type', '{"vid":42}', undefined, { status: 400, name: 'BadRequest', message: 'body.vid: must be a string' }],
    ['bad format', '{"vid":"../etc/passwd"}', undefined, { status: 400, name: 'BadRequest', message: 'body.vid: must be a video id (1-128 letters, digits, _ or -)' }],
    ['fraction', '{"vid":"v0","expiresIn":60.5}', undefined, { status: 400, name: 'BadRequest', message: 'body.expiresIn: must be a whole number of seconds' }],
    ['string number', '{"vid":"v0","expiresIn":"600"}', undefined, { status: 400, name: 'BadRequest', message: 'body.expiresIn: must be a number of seconds' }],
    ['too long', '{"vid":"v0","expiresIn":3601}', undefined, { status: 400, name: 'BadRequest', message: 'body.expiresIn: must be at most 3600' }],
    ['too short', '{"vid":"v0","expiresIn":59}', undefined, { status: 400, name: 'BadRequest', message: 'body.expiresIn: must be at least 60' }],
    ['list item', '{"vid":"v0","vids":["a","b c"]}', undefined, { status: 400, name: 'BadRequest', message: 'body.vids.1: must be a video id (1-128 letters, digits, _ or -)' }],
    ['empty list', '{"vid":"v0","vids":[]}', undefined, { status: 400, name: 'BadRequest', message: 'body.vids: must hold at least 1 item' }],
    ['repeated list', '{"vid":"v0","vids":["a","a"]}', undefined, { status: 400, name: 'BadRequest', message: 'body.vids: must not repeat an item' }],
    ['picklist', '{"vid":"v0","scope":"admin"}', undefined, { status: 400, name: 'BadRequest', message: 'body.scope: must be one of "play", "upload"' }],
    ['several issues', '{"vid":1,"expiresIn":1}', undefined, { status: 400, name: 'BadRequest', message: 'body.vid: must be a string; body.expiresIn: must be at least 60' }],
  ];
  for (const [what, body, headers, expected] of cases) {
    it(`refuses ${what}`, () => assert.deepEqual(refusal(() => parseJsonBody(event(body, headers), Body)), expected));
  }

  it('refuses invalid UTF-8: a stray byte, an encoded surrogate, an overlong form', () => {
    for (const bad of [[0xff], [0xed, 0xa0, 0x80], [0xc0, 0xaf]]) {
      const b64 = Buffer.from([0x7b, 0x22, ...bad, 0x22, 0x7d]).toString('base64');
      assert.deepEqual(refusal(() => parseJsonBody(event(b64, undefined, true), Body)), { status: 400, name: 'BadRequest', message: 'body: is not valid UTF-8' });
    }
  });

  it('reads a body that starts with a byte order mark', () => {
    const b64 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"vid":"v0"}')]).toString('base64');
    assert.deepEqual(parseJsonBody(event(b64, undefined, true), Body), { vid: 'v0' });
  });

  it('refuses bodies over the limit, 413', () => {
    const big = JSON.stringify({ vid: 'v0', pad: 'x'.repeat(64 * 1024) });
    assert.deepEqual(refusal(() => parseJsonBody(event(big), Body)), { status: 413, name: 'PayloadTooLarge', message: 'body must be at most 65536 bytes' });
    const multibyte = JSON.stringify({ vid: 'é'.repeat(40 * 1024) }); // 40 Ki chars, 80 KiB
    assert.deepEqual(refusal(() => parseJsonBody(event(multibyte), Body)), { status: 413, name: 'PayloadTooLarge', message: 'body must be at most 65536 bytes' });
    const b64 = Buffer.from(big).toString('base64');
    assert.deepEqual(refusal(() => parseJsonBody(event(b64, undefined, true), Body)), { status: 413, name: 'PayloadTooLarge', message: 'body must be at most 65536 bytes' });
  });

  it('never echoes the received value', () => {
    const { message } = refusal(() => parseJsonBody(event('{"vid":"SECRET-VALUE-1234 x"}'), Body));
    assert.equal(message.includes('SECRET-VALUE'), false);
  });
});

describe('parseQuery and parsePath', () => {
  const Query = v.strictObject({ width: v.optional(intParam(1, 4096)), https: v.optional(boolParam), format: v.optional(word('a format', 16)) });

  it('converts query strings', () => {
    assert.deepEqual(parseQuery({ rawQueryString: 'width=640&https=true&format=webp' }, Query), { width: 640, https: true, format: 'webp' });
    assert.deepEqual(parseQuery({ rawQueryString: '' }, Query), {});
    assert.deepEqual(parseQuery({ queryStringParameters: { width: '8' } }, Query), { width: 8 });
  });

  it('refuses bad queries precisely', () => {
    assert.deepEqual(refusal(() => parseQuery({ rawQueryString: 'width=640&width=1' }, Query)), { status: 400, name: 'BadRequest', message: 'query.width: is given more than once' });
    assert.deepEqual(refusal(() => parseQuery({ rawQueryString: 'width=-1' }, Query)), { status: 400, name: 'BadRequest', message: 'query.width: must be a whole number between 1 and 4096' });
    assert.deepEqual(refusal(() => parseQuery({ rawQueryString: 'width=5000' }, Query)), { status: 400, name: 'BadRequest', message: 'query.width: must be at most 4096' });
    assert.deepEqual(refusal(() => parseQuery({ rawQueryString: 'https=yes' }, Query)), { status: 400, name: 'BadRequest', message: 'query.https: must be true or false' });
    assert.deepEqual(refusal(() => parseQuery({ rawQueryString: 'debug=1' }, Query)), { status: 400, name: 'BadRequest', message: 'query.debug: is not an allowed field' });
  });

  it('validates path parameters', () => {
    const Path = v.strictObject({ vid: Vid });
    assert.deepEqual(parsePath({ pathParameters: { vid: 'v0abc' } }, Path), { vid: 'v0abc' });
    const err = refusal(() => parsePath({ pathParameters: { vid: 'a%2Fb' } }, Path));
    assert.deepEqual(err, { status: 400, name: 'BadRequest', message: 'path.vid: must be a video id (1-128 letters, digits, _ or -)' });
    assert.ok(new BadRequest('x').expose);
  });
});
