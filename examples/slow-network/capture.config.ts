import { defineConfig } from '@capture/core';
import https from '@capture/plugin-https';
import history from '@capture/plugin-history';
import slowNetwork from './slow-network.js';

// Every request waits 400 ms (plus up to 100 ms) before it leaves the proxy: a phone on a poor
// mobile connection, roughly.
export default defineConfig({
  plugins: [https(), slowNetwork({ latency: 400, jitter: 100 }), history()],
});
