// The signing feature's public entry: the platform identity and PAdES signing of finished
// contracts. The pure check of a signed PDF is src/lib/pdf/pdf-signature.ts.
export {
	loadSigningIdentity,
	SigningIdentityError,
	GENERATED_FILES,
	type SigningIdentity
} from './identity';
export { signPdf, SigningError, type SignPdfOptions } from './pades';
