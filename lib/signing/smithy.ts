import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Credentials } from './credentials.ts';
import { SERVICE } from './canonical.ts';

// One signer per credentials object, service and region, so Smithy's signing-key cache is reused across calls.
const signers = new WeakMap<Credentials, Map<string, SignatureV4>>();

/**
 * The `@smithy/signature-v4` signer for these credentials and region: service `vod` by default; the AWS calls
 * (lib/aws) name theirs (`dynamodb`, `events`, `s3`; S3 signs the path as given, already escaped once).
 */
export function smithySigner(credentials: Credentials, region: string, service: string = SERVICE): SignatureV4 {
  let byScope = signers.get(credentials);
  if (!byScope) {
    byScope = new Map();
    signers.set(credentials, byScope);
  }
  const scope = `${service}/${region}`;
  let signer = byScope.get(scope);
  if (!signer) {
    signer = new SignatureV4({ credentials, region, service, sha256: Hash.bind(null, 'sha256'), applyChecksum: true, uriEscapePath: service !== 's3' });
    byScope.set(scope, signer);
  }
  return signer;
}
