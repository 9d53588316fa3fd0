// Completion and finalisation of contracts; other features and endpoints import from here.
export { completionWrites, applyReviewHold } from './complete';
export { finaliseEnvelope, FinaliseError, type FinaliseDeps, type PdfSigner } from './finalise';
export { certificateData, deviceName, verifyUrl, qrModules } from './certificate-data';
export { participantFinal } from './final-document';
export { notifyCompleted, COMPLETED_NOTICE_JOB, type NoticeDeps } from './notify-completed';
export { evidenceArchive, evidenceBundle, EvidenceError, type EvidenceDeps } from './evidence';
