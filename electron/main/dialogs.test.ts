import { describe, expect, it } from 'vitest';
import { pickedPath, pickPathDialogOptions } from './dialogs';

describe('the Browse… picker', () => {
  it('opens a file or a folder dialog', () => {
    expect(pickPathDialogOptions('file').properties).toContain('openFile');
    expect(pickPathDialogOptions('folder').properties).toContain('openDirectory');
    expect(pickPathDialogOptions('folder').properties).not.toContain('openFile');
  });

  it('refuses anything else the page sends', () => {
    for (const bad of ['files', '', null, { kind: 'file' }, ['openFile', 'multiSelections']]) {
      expect(() => pickPathDialogOptions(bad)).toThrow(/haven:pick-path: kind must be "file" or "folder"/);
    }
  });

  it('gives the chosen path, or nothing when cancelled', () => {
    expect(pickedPath({ canceled: false, filePaths: ['/srv/media'] })).toBe('/srv/media');
    expect(pickedPath({ canceled: true, filePaths: [] })).toBeUndefined();
    expect(pickedPath({ canceled: false, filePaths: [] })).toBeUndefined();
  });
});
