// HTTP API Lambda REQUEST authorizer (payload 2.0, simple responses) for the protected routes:
// `Authorization: Bearer <key>` or `x-api-key: <key>` checked in constant time against API_KEYS.
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult, Context } from 'aws-lambda';
import { configOf, PROTECTED_API_KEYS, type ConfigOf } from '#lib/config';
import { checkApiKey, eventHandler, logger } from '#lib/http';

/** What the routes behind it see in `requestContext.authorizer.lambda`: a fingerprint of the key, never the key. */
export interface AuthorizerContext { keyId: string }

export type AuthorizerResult = APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext> | { isAuthorized: false };

/** The variables this function reads, validated at cold start (API_KEYS required). */
export const SETTINGS = [PROTECTED_API_KEYS] as const;

/** The authorizer over its configuration. */
export function createAuthorizer(cfg: ConfigOf<typeof SETTINGS>): (event: APIGatewayRequestAuthorizerEventV2, context?: Context) => Promise<AuthorizerResult> {
  return eventHandler(async (event: APIGatewayRequestAuthorizerEventV2) => {
    const result = checkApiKey(event.headers, cfg.apiKeys);
    const where = { routeKey: event.routeKey, sourceIp: event.requestContext?.http?.sourceIp };
    if (!result.ok) {
      // HTTP API answers 403 to isAuthorized=false; the route's own guard distinguishes 401 when reached directly
      logger.info('authorizer refused', { ...where, status: result.status, reason: result.message });
      return { isAuthorized: false };
    }
    logger.info('authorizer allowed', { ...where, keyId: result.keyId });
    return { isAuthorized: true, context: { keyId: result.keyId } };
  });
}

export const handler = createAuthorizer(configOf(SETTINGS));
