// POST /vod/callback (the VOD service) -> verify X-VOD-SIGNATURE and timestamp skew, emit the pipeline event, 200.
import { CALLBACK_SKEW_SECONDS, configOf, requireConfig, VOD_CALLBACK_KEY, VOD_CALLBACK_URL, type ConfigOf } from '#lib/config';
import { Conflict, headerValue, httpHandler, logger, parseJsonBody, Unauthorized, type HttpLambda } from '#lib/http';
import { CallbackBody, callbackDeps, interpretCallback, verifyCallbackSignature, type PipelineDeps } from '#lib/pipeline';

/** The variables this function reads, validated at cold start (the callback key and URL required). */
export const SETTINGS = [VOD_CALLBACK_URL, CALLBACK_SKEW_SECONDS, VOD_CALLBACK_KEY] as const;

/**
 * The handler over its dependencies and clock: the timestamp window is checked against `now()` at each delivery
 * (tests pass a fixed clock, so a callback signed just outside the window is outside it however slow the run).
 */
export function createHandler(deps: Pick<PipelineDeps, 'store' | 'bus' | 'once'>, cfg: ConfigOf<typeof SETTINGS>, now: () => Date): HttpLambda {
  const key = requireConfig('callbackKey', cfg);
  const callbackUrl = requireConfig('callbackUrl', cfg);
  return httpHandler(async (event, context) => {
    const rawBody = event.body === undefined ? new Uint8Array() : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
    const verdict = verifyCallbackSignature({
      callbackUrl, key, timestamp: headerValue(event.headers, 'x-vod-timestamp'), signature: headerValue(event.headers, 'x-vod-signature'),
      rawBody, now: now(), skewSeconds: cfg.callbackSkewSeconds,
    });
    if (!verdict.ok) throw new Unauthorized(verdict.message);
    const body = parseJsonBody(event, CallbackBody, { maxBytes: 1024 * 1024 });
    const action = interpretCallback(body);
    await deps.once.run('callback', action.key, async () => {
      if (action.kind === 'emit') await deps.bus.emit(action.detailType, action.detail);
      else if (action.kind === 'fail') await deps.store.fail(action.itemId, 'uploading', action.reason);
      return action.kind;
    }, context).catch((err: unknown) => {
      // another delivery of this very callback is being handled: a 409 (not a 500 and an error log line), and the
      // service delivers it again, as it does after any answer but 200
      if (err instanceof Error && err.name === 'IdempotencyAlreadyInProgressError') {
        throw new Conflict('this callback is being handled by another delivery; deliver it again later', { cause: err });
      }
      throw err;
    });
    logger.info('callback accepted', { eventType: body.EventType, requestId: body.RequestId, action: action.kind });
    return { status: 200, body: { ok: true } };
  });
}

export const handler = createHandler(callbackDeps(), configOf(SETTINGS), () => new Date());
