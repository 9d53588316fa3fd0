// A device's sync, server end: judging and storing its submissions, and sending it changes.
export * from './ingest';
export { missingBlobs, pullChanges } from './sync';
