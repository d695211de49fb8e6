// Minimal typing of s3rver (the local S3 inside serverless-s3-local), as the pipeline tests use it.
declare module 's3rver' {
  export default class S3rver {
    constructor(opts: { port?: number; address?: string; directory: string; silent?: boolean; configureBuckets?: Array<{ name: string }> });
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
  }
}
