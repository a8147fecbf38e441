import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FileAssociation } from 'electron-builder';
import config from '../../electron-builder.config.mjs';

const root = path.resolve(import.meta.dirname, '..', '..');

describe('installer configuration', () => {
  it('unpacks native modules from asar and rebuilds them for Electron', () => {
    expect(config.npmRebuild).toBe(true);
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['**/*.node', 'node_modules/better-sqlite3/**']));
  });
  it('turns off the Electron fuses an attacker could use', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });
  it('registers magnet links, .torrent and .havenplugin files', () => {
    expect(config.protocols).toEqual([expect.objectContaining({ schemes: ['magnet'] })]);
    expect(([] as FileAssociation[]).concat(config.fileAssociations ?? []).map((entry) => entry.ext)).toEqual(['torrent', 'havenplugin']);
    expect(config.linux?.mimeTypes).toEqual(expect.arrayContaining(['x-scheme-handler/magnet', 'application/x-bittorrent']));
  });
  it("keeps electron-builder's deb dependencies and adds ffmpeg; the tray's indicator library is recommended", () => {
    expect(config.deb?.depends).toEqual(expect.arrayContaining(['libgtk-3-0', 'libnss3', 'libnotify4', 'xdg-utils', 'libsecret-1-0', 'ffmpeg']));
    expect(config.deb?.recommends).toEqual(expect.arrayContaining(['libappindicator3-1']));
  });
  it('builds AppImage and deb, dmg, nsis, with icons that exist at every size', () => {
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.mac?.target).toEqual(['dmg']);
    expect(config.win?.target).toEqual(['nsis']);
    for (const size of [16, 32, 48, 64, 128, 256, 512]) expect(fs.existsSync(path.join(root, 'build', 'icons', `${size}x${size}.png`))).toBe(true);
    const icon = fs.readFileSync(path.join(root, 'build', 'icon.png'));
    // PNG width and height (big-endian at 16 and 20): electron-builder needs 512 px or more for .icns/.ico.
    expect(icon.readUInt32BE(16)).toBeGreaterThanOrEqual(512);
    expect(icon.readUInt32BE(20)).toBeGreaterThanOrEqual(512);
  });
  it('ships the tray icon of every state, and takes the version from package.json', () => {
    for (const state of ['idle', 'active', 'recording', 'error']) {
      for (const variant of ['', '@2x', 'Template', 'Template@2x']) expect(fs.existsSync(path.join(root, 'resources', 'tray', `${state}${variant}.png`)), `${state}${variant}`).toBe(true);
    }
    expect(config.extraResources).toEqual(expect.arrayContaining([{ from: 'resources/tray', to: 'tray' }]));
    expect(config).not.toHaveProperty('buildVersion');
    expect(config).not.toHaveProperty('extraMetadata');
    // Only so app-update.yml is written (electron-updater needs it); never a real address.
    expect(config.publish).toEqual({ provider: 'generic', url: 'https://updates.invalid/haven/' });
  });
});
