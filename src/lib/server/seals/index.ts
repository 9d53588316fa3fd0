// Company seals and personal signatures: the seals feature's public functions, for endpoints
// and the other server features. Files inside seals/ import each other directly.
export * from './admin-seals';
export { rasteriseSeal } from './seal-image';
export { listSealUses, parseSealUsesQuery, sealUseWrites, sealUsageCounts } from './seal-uses';
export {
	authorisedSealsRead,
	openSealVersion,
	sealRecords,
	sealRecordsRead
} from './seal-versions';
export {
	SIGNATURE_MAX_BYTES,
	clearSignature,
	imageResponse,
	listMySeals,
	mayReuseImage,
	readCapped,
	saveSignature
} from './seals';
