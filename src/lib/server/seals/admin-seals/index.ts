// The admin's seals, one operation per file: the list, creating (from a spec or a photo),
// regenerating, enabling or disabling, and authorising or revoking who may stamp with a seal.
export { SEAL_LABEL_MAX_CHARS, type AdminSealDeps } from './common';
export { listOrgSeals, organisationName } from './list';
export { createPhotoSeal, createSeal, type PhotoSealInput } from './create';
export { updateSeal } from './update';
export { setSealStatus } from './status';
export { authoriseSeal, revokeSeal } from './grants';
