import v8 from 'node:v8';

/**
 * Keeps WebAssembly on V8's baseline compiler (Liftoff) in the `capture` process. The only
 * WebAssembly it runs is undici's HTTP parser (llhttp), one large state-machine function. Once
 * a download or a keep-alive run made it hot, V8 recompiled it with its optimising compiler on a
 * background thread, and that compilation alone took 25-35 MB of V8's malloc'd memory for a few
 * hundred milliseconds (`v8.getHeapStatistics().malloced_memory` from 9 to 41 MB): a third of
 * the process's peak RSS during a 512 MiB download (84 -> 112 MiB with no plugins; 76 -> 81
 * with this). Parsing a response head or skipping over body bytes is a small part of the
 * proxy's time, and measured keep-alive and download rates did not drop (README: Benchmark).
 * Set before undici loads: V8 reads it when a module is compiled.
 */
export function keepWasmOnBaselineCompiler(): void {
  v8.setFlagsFromString('--liftoff-only');
}
