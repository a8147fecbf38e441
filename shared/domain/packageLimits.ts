/** The largest plugin package Haven accepts (by upload, download or path). Kept free of zod so the renderer can import it. */
export const MAX_PACKAGE_BYTES = 50 * 1024 * 1024;
