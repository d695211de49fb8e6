import { DynamoDb, type AwsContext, type S3Context } from '#lib/aws';
import type { Credentials } from '#lib/signing';
import { apiContext } from '#lib/vod';
import { config } from './config.ts';
import { ConfigError } from './errors.ts';
import type { Env } from './read.ts';

/** The AWS services the pipeline calls: signing name -> the variable that overrides its endpoint, its host prefix. */
const SERVICES = {
  dynamodb: { variable: 'AWS_ENDPOINT_URL_DYNAMODB', host: 'dynamodb' },
  events: { variable: 'AWS_ENDPOINT_URL_EVENTBRIDGE', host: 'events' },
  s3: { variable: 'AWS_ENDPOINT_URL_S3', host: 's3' },
} as const;

export type AwsService = keyof typeof SERVICES;

/**
 * The endpoint of `service`: AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL, else the region's public one
 * (the variables the AWS SDKs read, so the local stack points every client the same way).
 * @throws ConfigError naming the variable when it is not an http(s) URL.
 */
export function awsEndpoint(service: AwsService, region: string, env: Env): string {
  const { variable, host } = SERVICES[service];
  const [name, value] = env[variable] ? [variable, env[variable]] : env.AWS_ENDPOINT_URL ? ['AWS_ENDPOINT_URL', env.AWS_ENDPOINT_URL] : [];
  if (!name || !value) return `https://${host}.${region}.amazonaws.com`;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new ConfigError([{ variable: name, problem: `must be an http(s) URL (got "${value}")` }]);
  return url.origin;
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
 * The context AWS calls of `service` are made with in this process (region AWS_REGION, endpoint and credentials
 * as above, the VOD client's timeout and retry defaults), built once. Credentials are read at the first call.
 */
export function awsContext(service: AwsService): AwsContext {
  let ctx = contexts.get(service);
  if (!ctx) {
    const region = config().awsRegion;
    let credentials: Credentials | undefined;
    ctx = {
      ...apiContext({ origin: awsEndpoint(service, region, process.env), region, credentials: () => (credentials ??= awsCredentials(process.env)), now: () => new Date() }),
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
  return { ...awsContext('s3'), pathStyle: config().s3ForcePathStyle };
}
