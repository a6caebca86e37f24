import { defineConfig } from '@capture/core';

// The defaults, written out: port 5555 on every interface, so phones on the same Wi-Fi can
// use the proxy. Leaving `plugins` out keeps the CLI's default plugins.
export default defineConfig({
  port: 5555,
  host: '0.0.0.0',
  maxBodySize: 10 * 1024 * 1024,
});
