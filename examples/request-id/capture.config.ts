import { defineConfig } from '@capture/core';
import https from '@capture/plugin-https';
import history from '@capture/plugin-history';
import requestId from './request-id.js';

// Listing plugins replaces the CLI's defaults. request-id's flag (--request-id-header) comes
// with it: `capture start --help` lists it under "request-id options:".
export default defineConfig({
  plugins: [https(), requestId(), history()],
});
