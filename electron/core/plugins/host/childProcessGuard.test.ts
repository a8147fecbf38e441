import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeAccessDenied, toErrorPayload } from '@shared/ipc/errors';
import { checkProgram, ProgramDenied } from './childProcessGuard';

const installed = new Set(['/h/bin/yt-dlp', '/usr/bin/ffmpeg', '/usr/bin/yt-dlp']);
const options = { plugin: 'TestPlugin', binaries: ['yt-dlp', 'ffmpeg'], trustedDirs: ['/h/bin', '/usr/bin'], isExecutable: (file: string) => installed.has(file) };

describe('checkProgram', () => {
  it('finds a declared program in the trusted folders, in order', () => {
    expect(checkProgram('yt-dlp', options)).toBe('/h/bin/yt-dlp');
    expect(checkProgram('ffmpeg', options)).toBe('/usr/bin/ffmpeg');
    expect(checkProgram('/usr/bin/yt-dlp', options)).toBe('/usr/bin/yt-dlp');
  });

  it('names a path that fails as "not installed" for a declared program it cannot find, never a PATH lookup', () => {
    expect(checkProgram('ffmpeg', { ...options, isExecutable: () => false })).toBe(path.join('/h/bin', 'ffmpeg'));
  });

  it('refuses undeclared programs, shells, node itself, and declared names outside the trusted folders', () => {
    expect(() => checkProgram('curl', options)).toThrow(/TestPlugin may not run "curl": it is not in permissions.binaries \(yt-dlp, ffmpeg\)/);
    expect(() => checkProgram('/bin/sh', options)).toThrow(/may not run "sh"/);
    expect(() => checkProgram(process.execPath, options)).toThrow(ProgramDenied);
    expect(() => checkProgram('/h/plugin-data/test/ffmpeg', options)).toThrow(/may run ffmpeg only from \/h\/bin, \/usr\/bin, not \/h\/plugin-data\/test/);
    expect(() => checkProgram('../../usr/bin/../../h/plugin-data/ffmpeg', options)).toThrow(ProgramDenied);
    expect(() => checkProgram(undefined, options)).toThrow(/without a name/);
  });

  it('runs a program file the user chose in settings, whatever its name', () => {
    expect(checkProgram('/opt/tools/yt-dlp_linux', { ...options, programFiles: ['/opt/tools/yt-dlp_linux'] })).toBe('/opt/tools/yt-dlp_linux');
    expect(() => checkProgram('/opt/tools/other', { ...options, programFiles: ['/opt/tools/yt-dlp_linux'] })).toThrow(ProgramDenied);
  });
});

describe('sandbox refusals as errors', () => {
  it("turn Node's permission errors and the program check into FORBIDDEN with what was refused", () => {
    const nodeError = Object.assign(new Error('Access to this API has been restricted'), { code: 'ERR_ACCESS_DENIED', permission: 'FileSystemRead', resource: '/h/haven.db' });
    expect(toErrorPayload(nodeError)).toEqual({ code: 'FORBIDDEN', message: "blocked by Haven's plugin sandbox: reading /h/haven.db is not allowed by the plugin's manifest (permissions)" });
    const program = new ProgramDenied('curl', 'TestPlugin may not run "curl"');
    expect(toErrorPayload(program)).toEqual({ code: 'FORBIDDEN', message: 'blocked by Haven\'s plugin sandbox: TestPlugin may not run "curl"' });
    expect(describeAccessDenied(new Error('other'))).toBeUndefined();
    expect(describeAccessDenied({ code: 'ERR_ACCESS_DENIED', permission: 'Addon' })).toMatch(/loading a native addon is not allowed/);
  });
});
