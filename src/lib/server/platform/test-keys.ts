import { randomServerKeys, useServerKeys } from './secrets';

// Vitest setup (vite.config.ts): every test file starts with random server keys, as a first
// start would create, so modules that hash codes or sign the audit head work without a secrets
// file. secrets.test.ts loads keys through the real file and environment paths instead.
useServerKeys(randomServerKeys());
