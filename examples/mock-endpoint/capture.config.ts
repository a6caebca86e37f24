import { defineConfig } from '@capture/core';
import https from '@capture/plugin-https';
import filters from '@capture/plugin-filters';
import history from '@capture/plugin-history';
import mockEndpoint from './mock-endpoint.js';

// The URL to answer comes from MOCK_URL so the test can point it at its own origin; in your
// project write the URL directly.
export default defineConfig({
  plugins: [
    https(),
    filters(),
    mockEndpoint({
      url: process.env.MOCK_URL ?? 'https://api.example.com/v1/feature-flags',
      body: { newCheckout: true, darkMode: false },
      headers: { 'x-mocked-by': 'capture' },
    }),
    history(),
  ],
});
