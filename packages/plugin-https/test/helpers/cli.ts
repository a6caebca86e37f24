/**
 * The CLI child-process helpers, from the public test kit `@capture/cli/testing`. The plugin
 * cannot depend on @capture/cli (the CLI depends on it), so the kit is imported from the CLI's
 * build; this package's turbo.json makes its tests wait for that build.
 */
export { startCapture, startProxyProcess, stopProxyProcess, killIfRunning, runCapture, type CaptureProcess } from '../../../cli/dist/testing/index.js';
