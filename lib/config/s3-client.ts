// One module per AWS client: with "sideEffects": false in package.json, esbuild drops the ones a function does not
// use, so no function loads an AWS SDK client it never calls (each costs tens of ms at cold start).
import { S3Client } from '@aws-sdk/client-s3';
import { config } from './config.ts';

let s3: S3Client | undefined;

/** The S3 client of this process (honours S3_FORCE_PATH_STYLE; endpoint from AWS_ENDPOINT_URL_S3). */
export function s3Client(): S3Client {
  s3 ??= new S3Client({ region: config().awsRegion, forcePathStyle: config().s3ForcePathStyle });
  return s3;
}
