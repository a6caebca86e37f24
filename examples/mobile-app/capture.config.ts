import { defineConfig } from '@capture/core';
import https from '@capture/plugin-https';
import filters from '@capture/plugin-filters';
import history from '@capture/plugin-history';

// The phone walkthrough: listen on every interface so a phone on the same Wi-Fi can use
// http://<this computer's LAN address>:5555 as its proxy, serve the CA download page at that
// address, skip images/JS/CSS, and save every request with its response.
export default defineConfig({
  host: '0.0.0.0',
  port: 5555,
  plugins: [https(), filters({ excludeAssets: true }), history({ saveResponses: true })],
});
