import path from 'node:path';

/** Folders a Node host of Core needs, given the app's root folder (the repo, or the installed package). */
export interface AppLayout {
  root: string;
  rendererDir: string;
  builtinPluginRoots: string[];
  pluginHostEntry: string;
  builtinCatalog: string;
}

export function appLayout(root: string, env: NodeJS.ProcessEnv = process.env): AppLayout {
  const builtin = env.HAVEN_BUILTIN_PLUGINS;
  return {
    root,
    pluginHostEntry: path.join(root, 'out', 'main', 'plugin-host.js'),
    builtinCatalog: env.HAVEN_BUILTIN_CATALOG ?? path.join(root, 'out', 'catalog', 'index.json'),
    rendererDir: env.HAVEN_RENDERER_DIR ? path.resolve(env.HAVEN_RENDERER_DIR) : path.join(root, 'out', 'renderer'),
    builtinPluginRoots:
      builtin !== undefined
        ? builtin.split(path.delimiter).filter(Boolean).map((dir) => path.resolve(dir))
        : [path.join(root, 'plugins'), path.join(root, 'plugins', 'examples')],
  };
}
