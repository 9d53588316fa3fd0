/**
 * What the routes use of the signer's device code (eslint.layers.js: a route imports a feature
 * through its index only). Only side-effect-free re-exports: a route that imports one name must
 * not pull the rest of the feature into its bundle.
 */
export { AfterFirstScreen } from './after-first-screen.svelte';
export { ContractView, preloadContract } from './contract-view.svelte';
export { deviceDb, type DeviceEnvelope, type DeviceSeal, type OutboxRow } from './db';
export { FieldSteps } from './field-steps.svelte';
export { firstScreen } from './first-screen';
export { InboxState } from './inbox.svelte';
export { MarkingTools } from './marking-tools.svelte';
export { PageDrawing } from './page-drawing.svelte';
export { PageZoom, ZOOM_STEP } from './page-zoom.svelte';
export { syncEngine } from './sync/engine.svelte';
export { TicketSupplyState } from './ticket-supply.svelte';
