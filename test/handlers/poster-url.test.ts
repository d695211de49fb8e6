import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HttpLambda } from '#lib/http';
import { fixture, invoke, jsonHeaders, startStack, withQuery, type Stack } from '../unit/http/handler-kit.ts';

const EVENT = fixture('poster-url');
const RID = 'poster-url-req-0001';
let stack: Stack;
let handler: HttpLambda;

before(async () => {
  stack = await startStack();
  handler = (await import('../../functions/poster-url/handler.ts')).createHandler(stack.api, stack.cfg);
});
after(() => stack.close());

describe('GET /posters', () => {
  it('answers main and backup URLs on the space CDN domains', async () => {
    const reply = await invoke(handler, EVENT);
    const host = new URL(stack.emu.url).host;
    assert.deepEqual(reply, {
      status: 200, headers: jsonHeaders(RID), logs: reply.logs,
      body: {
        mainUrl: `https://${host}/tos-cn-i-demo/poster-1~tplv-vod-rs:640:360.webp`,
        backupUrl: `https://${host}/tos-cn-i-demo/poster-1~tplv-vod-rs:640:360.webp`,
      },
    });
  });

  it('defaults the template, the format, and the scheme to the API endpoint\'s (http for the emulator)', async () => {
    const reply = await invoke(handler, withQuery(EVENT, 'uri=tos-cn-i-demo/poster-2'));
    const host = new URL(stack.emu.url).host;
    assert.deepEqual(reply.body, { mainUrl: `http://${host}/tos-cn-i-demo/poster-2~tplv-vod-noop.image`, backupUrl: `http://${host}/tos-cn-i-demo/poster-2~tplv-vod-noop.image` });
    const http = await invoke(handler, withQuery(EVENT, 'uri=p/3&https=false&format=png&template=tplv-vod-obj&space=other-space'));
    assert.deepEqual(http.body, { mainUrl: `http://${host}/p/3~tplv-vod-obj.png`, backupUrl: `http://${host}/p/3~tplv-vod-obj.png` });
  });

  const SIZED = 'is required for templates tplv-vod-rs, tplv-vod-cc, tplv-vod-cs';
  const BAD: ReadonlyArray<[string, string, string]> = [
    ['no uri', 'template=tplv-vod-noop', 'query.uri: is required'],
    ['an empty uri', 'uri=', 'query.uri: must be a poster URI such as tos-cn-i-xxxx/abcd (letters, digits, . _ ~ - and /)'],
    ['a traversal uri', 'uri=a/../b', 'query.uri: must not contain ".."'],
    ['a uri with a scheme', 'uri=https://evil.example/x', 'query.uri: must be a poster URI such as tos-cn-i-xxxx/abcd (letters, digits, . _ ~ - and /)'],
    ['an unknown template', 'uri=p/1&template=tplv-evil', 'query.template: must be one of "tplv-vod-noop", "tplv-vod-obj", "tplv-vod-rs", "tplv-vod-cc", "tplv-vod-cs"'],
    ['a resize without a size', 'uri=p/1&template=tplv-vod-rs', `query.width: ${SIZED}`],
    ['a resize without a height', 'uri=p/1&template=tplv-vod-cc&width=10', `query.height: ${SIZED}`],
    ['a size without a sized template', 'uri=p/1&width=10&height=10', 'query.width: is only allowed with templates tplv-vod-rs, tplv-vod-cc, tplv-vod-cs'],
    ['a height without a sized template', 'uri=p/1&height=10', 'query.height: is only allowed with templates tplv-vod-rs, tplv-vod-cc, tplv-vod-cs'],
    ['a zero width', 'uri=p/1&template=tplv-vod-rs&width=0&height=10', 'query.width: must be at least 1'],
    ['a huge height', 'uri=p/1&template=tplv-vod-rs&width=10&height=99999', 'query.height: must be at most 8192'],
    ['a fractional width', 'uri=p/1&template=tplv-vod-rs&width=1.5&height=10', 'query.width: must be a whole number between 1 and 8192'],
    ['an unknown format', 'uri=p/1&format=bmp', 'query.format: must be one of "image", "jpeg", "png", "webp", "awebp", "gif", "heic"'],
    ['https=maybe', 'uri=p/1&https=maybe', 'query.https: must be true or false'],
    ['a bad space', 'uri=p/1&space=a.b', 'query.space: must be a space name (1-64 letters, digits, _ or -)'],
    ['an unknown parameter', 'uri=p/1&domain=evil.example', 'query.domain: is not an allowed field'],
    ['a repeated uri', 'uri=p/1&uri=p/2', 'query.uri: is given more than once'],
  ];
  for (const [what, query, message] of BAD) {
    it(`answers 400 for ${what}`, async () => {
      const reply = await invoke(handler, withQuery(EVENT, query));
      assert.deepEqual({ status: reply.status, body: reply.body }, { status: 400, body: { error: 'BadRequest', message, requestId: RID } });
    });
  }
});
