// Browser entry for tests that fill the device outbox themselves (served by serveBundle): the
// app's own manifest composition, challenge and device store, so the rows a test writes are
// exactly what the confirmation step writes.
export { composeManifest } from '../../../src/lib/domain/draft';
export { manifestChallenge, manifestHash } from '../../../src/lib/domain/canonical';
export { DeviceDb } from '../../../src/lib/client/device/db';
