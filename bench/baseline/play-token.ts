// issue-play-token with the vendor SDK: GetPlayAuthToken (a signed GetPlayInfo query, base64 JSON).
import { json, vendorVod } from './vendor.ts';

const vod = vendorVod();
export const handler = async (event: { body?: string }) => {
  const req = JSON.parse(event.body ?? '{}') as { vid: string; expiresIn?: number };
  return json(200, { token: vod.GetPlayAuthToken({ Vid: req.vid }, req.expiresIn ?? 3600) });
};
