// lib/config's AWS side: endpoints as the AWS SDKs read them, the function role's credentials, loud errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, awsCredentials, awsEndpoint, loadConfig, type AwsService } from '#lib/config';

/** The endpoint a function gets: its whole configuration read from `env`, as `config()` reads it at cold start. */
const endpoint = (service: AwsService, env: Record<string, string>) => awsEndpoint(service, loadConfig(env));

test('an endpoint comes from AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL, else the region', () => {
  assert.equal(endpoint('dynamodb', { AWS_REGION: 'eu-west-1' }), 'https://dynamodb.eu-west-1.amazonaws.com');
  assert.equal(endpoint('events', { AWS_REGION: 'us-east-1' }), 'https://events.us-east-1.amazonaws.com');
  assert.equal(endpoint('s3', { AWS_REGION: 'ap-southeast-1' }), 'https://s3.ap-southeast-1.amazonaws.com');
  const env = { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566/', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000' };
  assert.equal(endpoint('dynamodb', env), 'http://127.0.0.1:8000');
  assert.equal(endpoint('events', env), 'http://127.0.0.1:4566');
  assert.equal(endpoint('s3', { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569' }), 'http://127.0.0.1:4569');
});

test('a bad endpoint fails the cold start with a ConfigError naming the variable', () => {
  assert.throws(() => endpoint('events', { AWS_ENDPOINT_URL_EVENTBRIDGE: '127.0.0.1:4010' }), (err: unknown) =>
    err instanceof ConfigError && err.message === 'invalid configuration: AWS_ENDPOINT_URL_EVENTBRIDGE must be an absolute URL such as http://127.0.0.1:4100 (got "127.0.0.1:4010")');
  assert.throws(() => endpoint('s3', { AWS_ENDPOINT_URL: 'ftp://files' }), (err: unknown) =>
    err instanceof ConfigError && err.message === 'invalid configuration: AWS_ENDPOINT_URL must use http or https (got "ftp://files")');
});

test("credentials are the function role's (with its session token); a missing key names the variable, never a value", () => {
  assert.deepEqual(awsCredentials({ AWS_ACCESS_KEY_ID: 'ASIA1', AWS_SECRET_ACCESS_KEY: 's3cr3t', AWS_SESSION_TOKEN: 'tok' }), { accessKeyId: 'ASIA1', secretAccessKey: 's3cr3t', sessionToken: 'tok' });
  assert.deepEqual(awsCredentials({ AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 's3cr3t' }), { accessKeyId: 'AKIA1', secretAccessKey: 's3cr3t' });
  assert.throws(() => awsCredentials({ AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SESSION_TOKEN: 'tok' }), (err: unknown) =>
    err instanceof ConfigError && err.variable === 'AWS_SECRET_ACCESS_KEY' && !err.message.includes('tok') && !err.message.includes('AKIA1'));
  assert.throws(() => awsCredentials({}), /AWS_ACCESS_KEY_ID must be set/);
});
