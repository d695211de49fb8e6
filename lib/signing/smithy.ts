import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Credentials } from './credentials.ts';
import { SERVICE } from './canonical.ts';

// One signer per credentials object and region, so Smithy's signing-key cache is reused across calls.
const signers = new WeakMap<Credentials, Map<string, SignatureV4>>();

/** The `@smithy/signature-v4` signer for these credentials and region (service `vod`). */
export function smithySigner(credentials: Credentials, region: string): SignatureV4 {
  let byRegion = signers.get(credentials);
  if (!byRegion) {
    byRegion = new Map();
    signers.set(credentials, byRegion);
  }
  let signer = byRegion.get(region);
  if (!signer) {
    signer = new SignatureV4({ credentials, region, service: SERVICE, sha256: Hash.bind(null, 'sha256'), applyChecksum: true });
    byRegion.set(region, signer);
  }
  return signer;
}
