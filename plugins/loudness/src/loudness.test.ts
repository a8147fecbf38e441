import { describe, expect, it } from 'vitest';
import { configSchema } from './config';
import { isSilent, labelFor, loudnormFilter, loudnormNumber, measureArgs, normalizeArgs, parseLoudnorm, passPercent, reported, type Measurement } from './loudnorm';

// What ffmpeg 5.1 prints at the end of a loudnorm pass (the lines around it included).
const FIRST_PASS = `Output #0, null, to 'pipe:':
  Stream #0:0: Audio: pcm_s16le, 192000 Hz, mono, s16, 3072 kb/s
      encoder         : Lavc59.37.100 pcm_s16le
[Parsed_loudnorm_0 @ 0x55e34d404f00] 
{
	"input_i" : "-21.78",
	"input_tp" : "-13.15",
	"input_lra" : "0.10",
	"input_thresh" : "-31.78",
	"output_i" : "-15.99",
	"output_tp" : "-7.35",
	"output_lra" : "0.10",
	"output_thresh" : "-25.99",
	"normalization_type" : "dynamic",
	"target_offset" : "-0.01"
}
[out#0/null @ 0x1] video:0kB audio:3752kB subtitle:0kB other streams:0kB global headers:0kB muxing overhead: unknown
`;

const measured: Measurement = parseLoudnorm(FIRST_PASS);
const target = { target_lufs: -16, true_peak: -1.5, lra: 11 };

describe('parseLoudnorm', () => {
  it("reads loudnorm's JSON from stderr as numbers", () => {
    expect(measured).toEqual({
      input_i: -21.78,
      input_tp: -13.15,
      input_lra: 0.1,
      input_thresh: -31.78,
      output_i: -15.99,
      output_tp: -7.35,
      output_lra: 0.1,
      output_thresh: -25.99,
      normalization_type: 'dynamic',
      target_offset: -0.01,
    });
  });

  it('takes the last block when there are several, and reads -inf for silence', () => {
    const silent = FIRST_PASS.replace('"-21.78"', '"-inf"').replace('"-13.15"', '"-inf"');
    const parsed = parseLoudnorm(`${FIRST_PASS}\n${silent}`);
    expect(parsed.input_i).toBe(-Infinity);
    expect(parsed.input_tp).toBe(-Infinity);
    expect(isSilent(parsed)).toBe(true);
    expect(isSilent(measured)).toBe(false);
    expect(isSilent({ input_i: -70 })).toBe(true);
  });

  it('refuses stderr without figures, or with broken ones', () => {
    expect(() => parseLoudnorm('Error opening input file')).toThrow(/no loudness figures/);
    expect(() => parseLoudnorm('[Parsed_loudnorm_0 @ 0x1] \n{ "input_i" : ')).toThrow(/no loudness figures/);
    expect(() => parseLoudnorm('[Parsed_loudnorm_0 @ 0x1] \n{ "input_i" : x }')).toThrow(/not JSON/);
    expect(() => parseLoudnorm('[Parsed_loudnorm_0 @ 0x1] \n{ "output_i" : "-16" }')).toThrow(/input_i/);
  });

  it('reads loudnorm numbers', () => {
    expect(loudnormNumber('-0.50')).toBe(-0.5);
    expect(loudnormNumber('inf')).toBe(Infinity);
    expect(loudnormNumber(' -inf ')).toBe(-Infinity);
    expect(loudnormNumber('')).toBeNaN();
    expect(loudnormNumber(undefined)).toBeNaN();
  });
});

describe('loudnorm arguments', () => {
  it('measures with print_format=json, writing nothing', () => {
    const args = measureArgs('/media/show.mp4', target, 1);
    expect(args[args.indexOf('-af') + 1]).toBe('loudnorm=I=-16.00:TP=-1.50:LRA=11.00:print_format=json');
    expect(args.slice(-2)).toEqual(['null', '-']);
    expect(args).toEqual(expect.arrayContaining(['-i', 'file:/media/show.mp4', '-map', '0:1', '-vn', '-nostdin', '-progress', 'pipe:1']));
    // loudnorm prints its figures at the info level: a quieter -v would hide them.
    expect(args).not.toContain('-v');
  });

  it('normalises linearly with the measured figures into AAC 192k, 48 kHz, MP4', () => {
    const args = normalizeArgs('/in.flac', '/d/normalised.m4a.part', target, measured, 0);
    expect(args[args.indexOf('-af') + 1]).toBe(
      'loudnorm=I=-16.00:TP=-1.50:LRA=11.00:measured_I=-21.78:measured_TP=-13.15:measured_LRA=0.10:measured_thresh=-31.78:offset=-0.01:linear=true:print_format=json',
    );
    expect(args).toEqual(expect.arrayContaining(['-c:a', 'aac', '-b:a', '192k', '-ar', '48000', '-f', 'mp4', '-map', '0:0', '-vn']));
    expect(args.at(-1)).toBe('file:/d/normalised.m4a.part');
  });

  it('clamps figures to the ranges loudnorm accepts', () => {
    const loud = { ...measured, input_i: 3, input_tp: Infinity, input_lra: 120, input_thresh: -Infinity, target_offset: NaN };
    expect(loudnormFilter({ target_lufs: -100, true_peak: 2, lra: 0 }, loud)).toBe(
      'loudnorm=I=-70.00:TP=0.00:LRA=1.00:measured_I=-0.01:measured_TP=98.99:measured_LRA=99.00:measured_thresh=-99.00:offset=0.00:linear=true:print_format=json',
    );
  });

  it('keeps measured figures off the values loudnorm reads as "not measured" (which would rule out linear mode)', () => {
    const steady = { ...measured, input_i: -60, input_lra: 0, input_thresh: -70 };
    expect(loudnormFilter(target, steady)).toContain(':measured_I=-60.00:measured_TP=-13.15:measured_LRA=0.01:measured_thresh=-69.99:');
  });
});

describe('helpers', () => {
  it('splits progress between the passes', () => {
    expect(passPercent(1, 0, 100)).toBe(0);
    expect(passPercent(1, 50, 100)).toBe(22.5);
    expect(passPercent(2, 0, 100)).toBe(45);
    expect(passPercent(2, 100, 100)).toBe(100);
    expect(passPercent(2, 150, 100)).toBe(100);
    expect(passPercent(1, 5, undefined)).toBeUndefined();
  });

  it('labels and reports', () => {
    expect(labelFor({ target_lufs: -16 })).toBe('Normalised to -16 LUFS');
    expect(labelFor({ target_lufs: -23.5 })).toBe('Normalised to -23.5 LUFS');
    expect(reported(-21.784)).toBe(-21.78);
    expect(reported(-Infinity)).toBe('-inf');
    expect(reported(NaN)).toBe('unknown');
  });

  it('has the defaults the issue asks for, and loudnorm’s bounds', () => {
    expect(configSchema.parse({})).toEqual({ target_lufs: -16, true_peak: -1.5, lra: 11 });
    expect(configSchema.safeParse({ target_lufs: -4 }).success).toBe(false);
    expect(configSchema.safeParse({ true_peak: 1 }).success).toBe(false);
    expect(configSchema.safeParse({ lra: 51 }).success).toBe(false);
  });
});
