/**
 * A tiny, valid, playable H.264 MP4, built from scratch so the browser test needs no media tools or binary
 * fixtures: Baseline profile, every frame an IDR picture of I_PCM macroblocks (raw samples, no transform or
 * entropy coding to get wrong), in a progressive MP4 with `moov` first. Chromium decodes it like any H.264 file.
 */

class Bits {
  readonly bytes: number[] = [];
  private cur = 0;
  private n = 0;
  u(bits: number, value: number): this {
    for (let i = bits - 1; i >= 0; i--) {
      this.cur = (this.cur << 1) | ((value >>> i) & 1);
      if (++this.n === 8) { this.bytes.push(this.cur); this.cur = 0; this.n = 0; }
    }
    return this;
  }
  /** Exp-Golomb unsigned. */
  ue(value: number): this {
    const v = value + 1;
    const len = Math.floor(Math.log2(v));
    return this.u(len, 0).u(len + 1, v);
  }
  /** Exp-Golomb signed. */
  se(value: number): this {
    return this.ue(value <= 0 ? -2 * value : 2 * value - 1);
  }
  aligned(): boolean { return this.n === 0; }
  alignZero(): this { while (this.n !== 0) this.u(1, 0); return this; }
  /** rbsp_trailing_bits: a stop bit, then zeros to the byte boundary. */
  trailing(): Uint8Array { this.u(1, 1).alignZero(); return Uint8Array.from(this.bytes); }
}

/** NAL unit: header byte + payload with emulation prevention (00 00 0x -> 00 00 03 0x). */
function nal(header: number, rbsp: Uint8Array): Uint8Array {
  const out = [header];
  let zeros = 0;
  for (const b of rbsp) {
    if (zeros >= 2 && b <= 3) { out.push(3); zeros = 0; }
    out.push(b);
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return Uint8Array.from(out);
}

function sps(mbW: number, mbH: number): Uint8Array {
  const b = new Bits()
    .u(8, 66).u(8, 0xc0).u(8, 30) // Baseline, constraint_set0+1, level 3.0
    .ue(0) // seq_parameter_set_id
    .ue(0) // log2_max_frame_num_minus4
    .ue(2) // pic_order_cnt_type 2: output order = decode order
    .ue(1) // max_num_ref_frames
    .u(1, 0) // gaps_in_frame_num_value_allowed_flag
    .ue(mbW - 1).ue(mbH - 1)
    .u(1, 1) // frame_mbs_only_flag
    .u(1, 1) // direct_8x8_inference_flag
    .u(1, 0) // frame_cropping_flag
    .u(1, 0); // vui_parameters_present_flag
  return nal(0x67, b.trailing());
}

function pps(): Uint8Array {
  const b = new Bits()
    .ue(0).ue(0) // pps id, sps id
    .u(1, 0) // CAVLC
    .u(1, 0) // bottom_field_pic_order_in_frame_present_flag
    .ue(0) // num_slice_groups_minus1
    .ue(0).ue(0) // num_ref_idx_l0/l1_default_active_minus1
    .u(1, 0).u(2, 0) // weighted prediction off
    .se(0).se(0).se(0) // pic_init_qp/qs, chroma_qp_index_offset
    .u(1, 1) // deblocking_filter_control_present_flag
    .u(1, 0) // constrained_intra_pred_flag
    .u(1, 0); // redundant_pic_cnt_present_flag
  return nal(0x68, b.trailing());
}

/** One IDR picture, every macroblock I_PCM. `yuv` is planar 4:2:0. */
function idr(idrPicId: number, mbW: number, mbH: number, plane: (x: number, y: number, c: 0 | 1 | 2) => number): Uint8Array {
  const b = new Bits()
    .ue(0) // first_mb_in_slice
    .ue(7) // slice_type: I (all slices)
    .ue(0) // pic_parameter_set_id
    .u(4, 0) // frame_num
    .ue(idrPicId)
    .u(1, 0).u(1, 0) // dec_ref_pic_marking: no_output_of_prior_pics, long_term_reference
    .se(0) // slice_qp_delta
    .ue(1); // disable_deblocking_filter_idc
  for (let my = 0; my < mbH; my++) {
    for (let mx = 0; mx < mbW; mx++) {
      b.ue(25).alignZero(); // mb_type I_PCM, pcm_alignment_zero_bits
      for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) b.u(8, plane(mx * 16 + x, my * 16 + y, 0));
      for (const c of [1, 2] as const) for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) b.u(8, plane(mx * 8 + x, my * 8 + y, c));
    }
  }
  return nal(0x65, b.trailing());
}

// ---- MP4 boxes

function be(bytesLen: 1 | 2 | 4, v: number): number[] {
  const out: number[] = [];
  for (let i = bytesLen - 1; i >= 0; i--) out.push((v >>> (8 * i)) & 0xff);
  return out;
}
function ascii(s: string): number[] { return [...s].map((c) => c.charCodeAt(0)); }
function box(type: string, ...parts: Array<number[] | Uint8Array>): Uint8Array {
  const body = parts.flatMap((p) => [...p]);
  return Uint8Array.from([...be(4, body.length + 8), ...ascii(type), ...body]);
}
function full(type: string, version: number, flags: number, ...parts: Array<number[] | Uint8Array>): Uint8Array {
  return box(type, [version, ...be(4, flags).slice(1)], ...parts);
}
const MATRIX = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000].flatMap((v) => be(4, v));

export interface TinyMp4Options { width?: number; height?: number; frames?: number; fps?: number }

/**
 * Builds the MP4 (default 160x96, 20 frames at 10 fps = 2 s): a colour gradient with a white square moving
 * across it. Deterministic: the same options give the same bytes.
 */
export function tinyMp4(opts: TinyMp4Options = {}): Buffer {
  const width = opts.width ?? 160;
  const height = opts.height ?? 96;
  const frames = opts.frames ?? 20;
  const fps = opts.fps ?? 10;
  if (width % 16 || height % 16) throw new Error('tinyMp4: width and height must be multiples of 16');
  const mbW = width / 16;
  const mbH = height / 16;
  const sp = sps(mbW, mbH);
  const pp = pps();

  const samples: Uint8Array[] = [];
  for (let f = 0; f < frames; f++) {
    const boxX = Math.round(((width - 32) * f) / Math.max(1, frames - 1));
    const inBox = (x: number, y: number): boolean => x >= boxX && x < boxX + 32 && y >= height / 2 - 16 && y < height / 2 + 16;
    const slice = idr(f % 2, mbW, mbH, (x, y, c) => {
      if (c === 0) return inBox(x, y) ? 235 : 40 + Math.round((150 * x) / width); // luma 16..235, never 0-3
      if (inBox(x * 2, y * 2)) return 128;
      return c === 1 ? 80 + Math.round((100 * y * 2) / height) : 180 - Math.round((100 * x * 2) / width);
    });
    samples.push(Uint8Array.from([...be(4, slice.length), ...slice]));
  }

  const timescale = fps * 100;
  const delta = 100;
  const durationMs = Math.round((frames * 1000) / fps);
  const avcC = box('avcC', [1, 66, 0xc0, 30, 0xff, 0xe1, ...be(2, sp.length)], sp, [1, ...be(2, pp.length)], pp);
  const avc1 = box('avc1',
    [0, 0, 0, 0, 0, 0, ...be(2, 1)], // reserved, data_reference_index
    new Array(16).fill(0), // pre_defined, reserved
    be(2, width), be(2, height), be(4, 0x00480000), be(4, 0x00480000), be(4, 0), be(2, 1),
    new Array(32).fill(0), be(2, 0x18), be(2, 0xffff), avcC);
  const stblWith = (chunkOffset: number): Uint8Array => box('stbl',
    full('stsd', 0, 0, be(4, 1), avc1),
    full('stts', 0, 0, be(4, 1), be(4, frames), be(4, delta)),
    full('stsc', 0, 0, be(4, 1), be(4, 1), be(4, frames), be(4, 1)),
    full('stsz', 0, 0, be(4, 0), be(4, frames), samples.flatMap((s) => be(4, s.length))),
    full('stco', 0, 0, be(4, 1), be(4, chunkOffset)));
  const moovWith = (chunkOffset: number): Uint8Array => box('moov',
    full('mvhd', 0, 0, be(4, 0), be(4, 0), be(4, 1000), be(4, durationMs), be(4, 0x00010000), be(2, 0x0100), new Array(10).fill(0), MATRIX, new Array(24).fill(0), be(4, 2)),
    box('trak',
      full('tkhd', 0, 3, be(4, 0), be(4, 0), be(4, 1), be(4, 0), be(4, durationMs), new Array(8).fill(0), be(2, 0), be(2, 0), be(2, 0), be(2, 0), MATRIX, be(4, width << 16), be(4, height << 16)),
      box('mdia',
        full('mdhd', 0, 0, be(4, 0), be(4, 0), be(4, timescale), be(4, frames * delta), be(2, 0x55c4), be(2, 0)),
        full('hdlr', 0, 0, be(4, 0), ascii('vide'), new Array(12).fill(0), ascii('VideoHandler'), [0]),
        box('minf',
          full('vmhd', 0, 1, new Array(8).fill(0)),
          box('dinf', full('dref', 0, 0, be(4, 1), full('url ', 0, 1))),
          stblWith(chunkOffset)))));
  const ftyp = box('ftyp', ascii('isom'), be(4, 512), ascii('isomiso2avc1mp41'));
  const moovSize = moovWith(0).length; // the offset's value does not change the box size
  const mdat = box('mdat', ...samples);
  return Buffer.concat([ftyp, moovWith(ftyp.length + moovSize + 8), mdat]);
}
