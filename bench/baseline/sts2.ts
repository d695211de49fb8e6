// issue-sts2 with the vendor SDK: signSts2 over a play policy.
import { json, vendorVod } from './vendor.ts';

const vod = vendorVod();
export const handler = async (event: { body?: string }) => {
  const req = JSON.parse(event.body ?? '{}') as { vids?: string[]; expiresIn?: number };
  const policy = { Statement: [{ Effect: 'Allow', Action: ['vod:GetPlayInfo'], Resource: (req.vids ?? ['*']).map((v) => `trn:vod::*:video_id/${v}`) }] };
  return json(200, vod.signSts2(policy, (req.expiresIn ?? 3600) * 1000));
};
