// The service worker's Background Sync, bundled on its own (vite.config.ts, plugin
// `sealpass-sw-sync`) into /sw-sync.js as a classic script, which the generated worker loads
// with importScripts. Only this file touches the worker's global scope.
import { installBackgroundSync } from './background';

installBackgroundSync(self as unknown as Parameters<typeof installBackgroundSync>[0]);
