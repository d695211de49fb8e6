import { DynamoDb, type AwsContext, type S3Context } from '#lib/aws';
import type { Credentials } from '#lib/signing';
import { apiContext } from '#lib/vod';
import { configOf } from './config.ts';
import { ConfigError } from './errors.ts';
import { awsRegionOf, type Config } from './load.ts';
import type { Env } from './read.ts';
import { AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_EVENTBRIDGE, AWS_ENDPOINT_URL_S3, S3_FORCE_PATH_STYLE } from './settings.ts';

/** The AWS services the pipeline calls: signing name -> its endpoint variable and field, its host prefix. */
const SERVICES = {
  dynamodb: { setting: AWS_ENDPOINT_URL_DYNAMODB, key: 'dynamodbEndpoint', host: 'dynamodb' },
  events: { setting: AWS_ENDPOINT_URL_EVENTBRIDGE, key: 'eventBridgeEndpoint', host: 'events' },
  s3: { setting: AWS_ENDPOINT_URL_S3, key: 's3Endpoint', host: 's3' },
} as const;

export type AwsService = keyof typeof SERVICES;

/**
 * The endpoint of `service` (scheme, host and port): AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL, else the
 * region's public one, as the AWS SDKs choose, so the local stack points every client the same way. The variables
 * are settings of the configuration, validated when the service's context is first built ({@link awsContext}).
 */
export function awsEndpoint(service: AwsService, cfg: Pick<Config, 'awsRegion' | 'awsEndpointUrl' | (typeof SERVICES)[AwsService]['key']>): string {
  const { key, host } = SERVICES[service];
  const url = cfg[key] ?? cfg.awsEndpointUrl;
  return url === undefined ? `https://${host}.${cfg.awsRegion}.amazonaws.com` : new URL(url).origin;
}

/**
 * The function's AWS credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, which Lambda
 * sets from the function's role (and the local stack sets for its local services).
 * @throws ConfigError naming the missing variables (never their values).
 */
export function awsCredentials(env: Env): Credentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new ConfigError([{ variable: !accessKeyId ? 'AWS_ACCESS_KEY_ID' : 'AWS_SECRET_ACCESS_KEY', problem: 'must be set (Lambda sets it from the function role)' }]);
  }
  const sessionToken = env.AWS_SESSION_TOKEN;
  return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
}

const contexts = new Map<AwsService, AwsContext>();

/**
 * The context AWS calls of `service` are made with in this process (region AWS_REGION, endpoint from the service's
 * AWS_ENDPOINT_URL_<SERVICE> or AWS_ENDPOINT_URL, validated as settings when first built, and credentials as above,
 * the VOD client's timeout and retry defaults), built once. Credentials are read at the first call.
 */
export function awsContext(service: AwsService): AwsContext {
  let ctx = contexts.get(service);
  if (!ctx) {
    const cfg = { ...configOf([AWS_ENDPOINT_URL, SERVICES[service].setting]), awsRegion: awsRegionOf(process.env) };
    let credentials: Credentials | undefined;
    ctx = {
      ...apiContext({ origin: awsEndpoint(service, cfg), region: cfg.awsRegion, credentials: () => (credentials ??= awsCredentials(process.env)), now: () => new Date() }),
      service,
    };
    contexts.set(service, ctx);
  }
  return ctx;
}

let ddb: DynamoDb | undefined;

/** DynamoDB of this process (document form; endpoint from AWS_ENDPOINT_URL_DYNAMODB). */
export function dynamoDb(): DynamoDb {
  ddb ??= new DynamoDb(awsContext('dynamodb'));
  return ddb;
}

/** S3 of this process (path-style when S3_FORCE_PATH_STYLE; endpoint from AWS_ENDPOINT_URL_S3). */
export function s3Context(): S3Context {
  return { ...awsContext('s3'), pathStyle: configOf([S3_FORCE_PATH_STYLE]).s3ForcePathStyle };
}
