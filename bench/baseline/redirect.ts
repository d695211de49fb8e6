// redirect-play with the vendor SDK: a signed play URL (GetPlayAuthToken's signed query) as a 302.
import { vendorVod } from './vendor.ts';

const vod = vendorVod();
export const handler = async (event: { pathParameters?: Record<string, string> }) => {
  const token = vod.GetPlayAuthToken({ Vid: event.pathParameters?.vid ?? 'v' }, 900);
  return { statusCode: 302, headers: { location: `${process.env.VOD_ENDPOINT}/?token=${token}` }, body: '' };
};
