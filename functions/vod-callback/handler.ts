// POST /vod/callback (the VOD service) -> verify X-VOD-SIGNATURE and timestamp skew, emit the pipeline event, 200.
import { CALLBACK_SKEW_SECONDS, configOf, requireConfig, VOD_CALLBACK_KEY, VOD_CALLBACK_URL } from '#lib/config';
import { httpHandler, logger, parseJsonBody, Unauthorized } from '#lib/http';
import { CallbackBody, callbackDeps, interpretCallback, verifyCallbackSignature } from '#lib/pipeline';

const cfg = configOf([VOD_CALLBACK_URL, CALLBACK_SKEW_SECONDS, VOD_CALLBACK_KEY]);
const key = requireConfig('callbackKey', cfg);
const callbackUrl = requireConfig('callbackUrl', cfg);
const deps = callbackDeps();

export const handler = httpHandler(async (event, context) => {
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const rawBody = event.body === undefined ? new Uint8Array() : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  const verdict = verifyCallbackSignature({
    callbackUrl, key, timestamp: headers['x-vod-timestamp'], signature: headers['x-vod-signature'],
    rawBody, now: new Date(), skewSeconds: cfg.callbackSkewSeconds,
  });
  if (!verdict.ok) throw new Unauthorized(verdict.message);
  const body = parseJsonBody(event, CallbackBody, { maxBytes: 1024 * 1024 });
  const action = interpretCallback(body);
  await deps.once.run('callback', action.key, async () => {
    if (action.kind === 'emit') await deps.bus.emit(action.detailType, action.detail);
    else if (action.kind === 'fail') await deps.store.fail(action.itemId, 'uploading', action.reason);
    return action.kind;
  }, context);
  logger.info('callback accepted', { eventType: body.EventType, requestId: body.RequestId, action: action.kind });
  return { status: 200, body: { ok: true } };
});
