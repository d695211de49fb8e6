// issue-upload-token with the vendor SDK: GetUploadToken (its upload credential, an STS2 token).
import { json, vendorVod } from './vendor.ts';

const vod = vendorVod();
export const handler = async (event: { body?: string }) => {
  const req = JSON.parse(event.body ?? '{}') as { expiresIn?: number };
  return json(200, { token: vod.GetUploadToken((req.expiresIn ?? 3600) * 1000) });
};
