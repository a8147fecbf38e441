// Installers for the desktop app: `npm run dist` (see docs/development.md).
// A module rather than YAML so `electron/main/packaging.test.ts` can check what it promises.

/** @type {import('electron-builder').Configuration} */
const config = {
  appId: 'app.haven.desktop',
  productName: 'Haven',
  copyright: 'Copyright © Haven contributors',
  // The version comes from package.json (electron-builder's default); nothing overrides it here.
  directories: { output: 'dist', buildResources: 'build' },
  files: ['out/**', 'package.json', '!out/renderer/**/*.map', '!**/*.test.*'],
  extraResources: [
    // Built-in plugins live beside the app (process.resourcesPath/plugins), outside asar.
    { from: 'plugins', to: 'plugins', filter: ['**/*', '!**/*.test.*', '!**/*.ts', '**/*.d.ts', '!**/testing/**'] },
    // Tray icons per state (process.resourcesPath/tray).
    { from: 'resources/tray', to: 'tray' },
  ],
  // Native modules are rebuilt for Electron and must load from real files, not from the archive.
  npmRebuild: true,
  asarUnpack: ['**/*.node', 'node_modules/better-sqlite3/**', 'node_modules/@livekit/**', 'node_modules/node-datachannel/**', 'node_modules/utp-native/**'],
  // Electron fuses: features an attacker could use to run code through the app binary, turned off.
  electronFuses: {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
  },
  // Links and files the installers register with the system: they open in Haven.
  protocols: [{ name: 'Magnet link', schemes: ['magnet'] }],
  fileAssociations: [
    { ext: 'torrent', name: 'Torrent file', description: 'BitTorrent metadata', mimeType: 'application/x-bittorrent', role: 'Viewer' },
    { ext: 'havenplugin', name: 'Haven plugin', description: 'Haven plugin package', mimeType: 'application/x-havenplugin', role: 'Editor' },
  ],
  // Auto-update reads the https feed the user sets in Settings (off by default). This entry only
  // makes electron-builder write app-update.yml, which electron-updater needs before it can
  // download; its address is never contacted (Haven sets the feed itself, and nothing is
  // published: `npm run dist` passes --publish never).
  publish: { provider: 'generic', url: 'https://updates.invalid/haven/' },
  linux: {
    target: ['AppImage', 'deb'],
    category: 'AudioVideo',
    executableName: 'haven',
    icon: 'build/icons',
    mimeTypes: ['x-scheme-handler/magnet', 'application/x-bittorrent', 'application/x-havenplugin'],
    desktop: { entry: { StartupWMClass: 'Haven' } },
  },
  // Setting `depends` replaces electron-builder's list, so its defaults are repeated here.
  deb: {
    depends: ['libgtk-3-0', 'libnotify4', 'libnss3', 'libxss1', 'libxtst6', 'xdg-utils', 'libatspi2.0-0', 'libuuid1', 'libsecret-1-0', 'ffmpeg'],
    recommends: ['libappindicator3-1', 'yt-dlp'],
  },
  mac: { target: ['dmg'], category: 'public.app-category.video', icon: 'build/icon.png', hardenedRuntime: true },
  win: { target: ['nsis'], icon: 'build/icon.png' },
  nsis: { oneClick: false, allowToChangeInstallationDirectory: true },
};

export default config;
