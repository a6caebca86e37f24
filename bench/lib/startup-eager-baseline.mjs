// Preloaded with `node --import` into `capture start` by bench/startup.mjs (`--eager-baseline`):
// the packages `capture start` loaded before they were made lazy (jiti, node-forge, yaml, slugify,
// cli-table3, uqr and the os-certs plugin), so one build and one run compare the start with and
// without them. It only loads them: the work forge did at start (the CA's PKCS#12 and its key
// derivation, the PRNG's entropy) is not redone, so the difference understates what was saved.
import { createRequire } from 'node:module';

const packages = new URL('../../packages/', import.meta.url);
const from = (pkg) => createRequire(new URL(`${pkg}/package.json`, packages));
await import(from('cli').resolve('jiti'));
await import(from('plugin-https').resolve('node-forge'));
await import(from('plugin-openapi').resolve('yaml'));
await import(from('plugin-collections').resolve('@sindresorhus/slugify'));
await import(from('plugin-collections').resolve('cli-table3'));
await import(from('plugin-os-certs').resolve('uqr'));
await import(new URL('plugin-os-certs/dist/index.js', packages).href);
