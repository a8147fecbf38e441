// Module resolution hooks for the plugin host (registered with node:module `register`):
// `@haven/sdk` resolves to the host's SDK build, so plugins need no bundler and share its zod.

interface InitializeData {
  sdkUrl: string;
}

interface ResolveResult {
  url: string;
  shortCircuit?: boolean;
  format?: string;
}

let sdkUrl = '';

export function initialize(data: InitializeData): void {
  sdkUrl = data.sdkUrl;
}

export async function resolve(
  specifier: string,
  context: unknown,
  nextResolve: (specifier: string, context: unknown) => Promise<ResolveResult>,
): Promise<ResolveResult> {
  if (specifier === '@haven/sdk') return { url: sdkUrl, shortCircuit: true, format: 'module' };
  return nextResolve(specifier, context);
}
