/**
 * What the admin's routes use of the admin's browser code (eslint.layers.js: a route imports a
 * feature through its index only). Plain re-exports: a page that imports one name does not
 * run the rest.
 */
export * from './admin-seals';
export * from './audit';
export { AuditTrail } from './audit-trail.svelte';
export { ContractActions } from './contract-actions.svelte';
export * from './contract-draft.svelte';
export * from './contracts';
export { FieldEditor } from './field-editor.svelte';
export { FieldPlacement, type PlacementHost } from './field-placement.svelte';
export * from './invites';
export * from './page-load';
export * from './review';
export { SealActions } from './seal-actions.svelte';
export * from './seal-editor.svelte';
export { SubmissionReview } from './submission-review.svelte';
