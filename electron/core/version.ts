import pkg from '../../package.json' with { type: 'json' };

export const HAVEN_VERSION: string = pkg.version;
export const HAVEN_NAME: string = pkg.productName;
