// Regenerates samples/sample.mp4: a tiny playable H.264 MP4 (2 s, 64x64, I_PCM frames) for `npm run demo`.
// No media tools needed: the bytes come from the generator the browser test uses.
// Run: node --import tsx samples/make-sample.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tinyMp4 } from '../test/browser/tiny-mp4.ts';

const out = fileURLToPath(new URL('./sample.mp4', import.meta.url));
const mp4 = tinyMp4({ width: 64, height: 64, frames: 24, fps: 12 });
writeFileSync(out, mp4);
console.log(`wrote ${out} (${mp4.length} bytes)`);
