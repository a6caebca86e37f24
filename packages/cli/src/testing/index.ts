/**
 * `@capture/cli/testing`: runs the built `capture` command as a child process, for tests of
 * the CLI and of plugins through it. Importing it has no side effects.
 */
export {
  CAPTURE_BIN,
  startCapture,
  startProxyProcess,
  stopProxyProcess,
  killIfRunning,
  runCapture,
  type CaptureProcess,
  type StartCaptureOptions,
} from './capture-process.js';
