/**
 * `@capture/core/data`: the data folder and the errors capture raises, without the proxy. For
 * code that runs where the proxy is not loaded, such as history's writer and reader threads:
 * the main entry brings the proxy, its hooks and its validation (about 10 MiB and 45 ms in a
 * worker thread), this one only Node's `fs`, `os` and `path`.
 */
export { CaptureError, type CaptureErrorCode } from '../errors.js';
export { ensureDataDir, ensureDataDirSync, resolveDataDir, type DataDirInput, type DataDirStatus } from '../data-dir.js';
