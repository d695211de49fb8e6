// A signed VOD API call with the vendor SDK (GetPlayInfo): the baseline of play-info, origin-play-info, poster-url.
import { call, vendorVod } from './vendor.ts';

const vod = vendorVod();
export const handler = async (event: { pathParameters?: Record<string, string> }) =>
  call(() => vod.GetPlayInfo({ Vid: event.pathParameters?.vid ?? 'v' }));
