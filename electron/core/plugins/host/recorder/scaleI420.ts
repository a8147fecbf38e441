/**
 * An I420 frame scaled to another size, nearest neighbour: cheap, for keeping a recording's
 * picture size when a WebRTC sender changes its resolution (it often starts small).
 */
export function scaleI420(src: Uint8Array, sw: number, sh: number, dw: number, dh: number): Uint8Array {
  const out = new Uint8Array((dw * dh * 3) / 2);
  scalePlane(src, 0, sw, sh, out, 0, dw, dh);
  const sws = sw >> 1;
  const shs = sh >> 1;
  const dws = dw >> 1;
  const dhs = dh >> 1;
  scalePlane(src, sw * sh, sws, shs, out, dw * dh, dws, dhs);
  scalePlane(src, sw * sh + sws * shs, sws, shs, out, dw * dh + dws * dhs, dws, dhs);
  return out;
}

function scalePlane(src: Uint8Array, srcOffset: number, sw: number, sh: number, dst: Uint8Array, dstOffset: number, dw: number, dh: number): void {
  const columns = new Uint32Array(dw);
  for (let x = 0; x < dw; x++) columns[x] = Math.min(sw - 1, Math.floor((x * sw) / dw));
  for (let y = 0; y < dh; y++) {
    const row = srcOffset + Math.min(sh - 1, Math.floor((y * sh) / dh)) * sw;
    const out = dstOffset + y * dw;
    for (let x = 0; x < dw; x++) dst[out + x] = src[row + columns[x]!]!;
  }
}
