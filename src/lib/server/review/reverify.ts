import { isoBase64URL } from '@simplewebauthn/server/helpers';
import type { Manifest } from '$lib/domain/manifest';
import { parseManifest } from '$lib/domain/manifest-schema';
import { canonicalJson, manifestChallenge, manifestHash } from '$lib/domain/canonical';
import type { ReverifyCheck, ReverifyResult } from '$lib/domain/api-types';
import type { Db } from '../db/schema';
import type { Clock } from '../platform/clock';
import { checkAssertion } from '../auth';
import { sealRecords } from '../seals';
import { sealProblems } from '$lib/domain/rules';
import { manifestSealUses } from '$lib/domain/manifest';
import { assertionFacts } from './detail';

/**
 * Checks the stored evidence of one submission again from scratch (RV4, RV5): the stored manifest
 * is read and validated (M1), must be its own canonical form (M2) with the stored hash, must name
 * the credential and ticket the submission was bound to, and the stored assertion must verify
 * with the stored public key over the challenge recomputed from the manifest (M3), with user
 * verification, and every stamp must be its seal (RV5). Read-only: the counter is given as 0 so the library skips its "counter must rise"
 * rule (that protects live logins, not old evidence), and nothing is written. Null when the
 * submission is not the organisation's.
 */
export async function reverifySubmission(
	db: Db,
	clock: Clock,
	origin: string,
	orgId: string,
	id: string
): Promise<ReverifyResult | null> {
	const row = await db
		.selectFrom('submissions as s')
		.innerJoin('envelopes as e', 'e.id', 's.envelope_id')
		.innerJoin('credentials as c', 'c.id', 's.credential_id')
		.innerJoin('tickets as t', 't.id', 's.ticket_id')
		.select([
			's.manifest_json',
			's.manifest_hash',
			's.assertion_json',
			's.credential_id',
			's.user_id',
			'c.public_key',
			'c.transports',
			's.received_at',
			't.id as ticket_id',
			't.nonce',
			't.issued_at as ticket_issued_at'
		])
		.where('s.id', '=', id)
		.where('e.org_id', '=', orgId)
		.executeTakeFirst();
	if (!row) return null;
	const checks: ReverifyCheck[] = [];
	const finish = (): ReverifyResult => {
		const failed = checks.find((c) => !c.ok);
		return {
			ok: !failed,
			reason: failed ? failed.detail : null,
			checks,
			at: clock().toISOString()
		};
	};
	const check = (name: ReverifyCheck['check'], ok: boolean, detail: string) => {
		checks.push({ check: name, ok, detail });
		return ok;
	};

	let json: unknown;
	try {
		json = JSON.parse(row.manifest_json);
	} catch {
		check('manifest', false, 'The stored manifest is not JSON');
		return finish();
	}
	const parsed = parseManifest(json);
	if (!parsed.ok) {
		check(
			'manifest',
			false,
			`The stored manifest is malformed: ${parsed.issues.slice(0, 3).join('; ')}`
		);
		return finish();
	}
	check('manifest', true, 'The stored manifest has the manifest shape (M1)');
	const manifest = parsed.manifest;
	if (
		!check(
			'canonical',
			canonicalJson(manifest) === row.manifest_json,
			canonicalJson(manifest) === row.manifest_json
				? 'Stored in its canonical form (M2)'
				: 'The stored manifest is not in its canonical form'
		)
	) {
		return finish();
	}
	const hash = await manifestHash(manifest);
	if (
		!check(
			'hash',
			hash === row.manifest_hash,
			hash === row.manifest_hash
				? `SHA-256 ${hash}`
				: `The manifest hashes to ${hash}, not the stored ${row.manifest_hash}`
		)
	) {
		return finish();
	}
	const facts = assertionFacts(row.assertion_json);
	const bound =
		manifest.credentialId === row.credential_id &&
		manifest.ticket.id === row.ticket_id &&
		manifest.ticket.nonce === row.nonce &&
		facts !== null &&
		facts.assertion.id === row.credential_id;
	if (
		!check(
			'binding',
			bound,
			bound
				? 'Names the passkey and the ticket the submission was accepted with'
				: 'The manifest or assertion names another passkey or ticket than the stored ones'
		)
	) {
		return finish();
	}
	const handle = facts!.assertion.response.userHandle;
	if (handle !== undefined && Buffer.from(handle, 'base64url').toString('utf8') !== row.user_id) {
		check('binding', false, 'The user handle does not name the signer');
		return finish();
	}
	const challenge = isoBase64URL.fromBuffer(await manifestChallenge(manifest));
	const verified = await checkAssertion(
		origin,
		{ id: row.credential_id, public_key: row.public_key, counter: 0, transports: row.transports },
		facts!.assertion,
		challenge
	);
	if (
		!check(
			'signature',
			verified.ok,
			verified.ok ? 'The passkey signature verifies (M3)' : verified.reason
		)
	) {
		return finish();
	}
	const uv = verified.ok && verified.info.userVerified && facts!.uv;
	check(
		'user-verified',
		uv,
		uv ? 'The authenticator verified the user' : 'The assertion lacks user verification'
	);
	const seals = await stampProblems(db, orgId, row, manifest);
	check(
		'seals',
		seals.length === 0,
		seals.length === 0
			? 'Every stamp carries its seal’s own image at its real size (R13, R20)'
			: seals.map((p) => `${p.path}: ${p.code} (${p.rule})`).join('; ')
	);
	return finish();
}

/**
 * The seal rules (R13, R20) applied to stored evidence, as ingest applied them when it received
 * it: the signer's authorisations held at receipt and the seal's image versions judged at the
 * ticket's issue, so a forged stamp accepted by an older release is found. Whether the seal is
 * disabled today (R21) is not asked: disabling a seal stops new stamps, it does not undo the
 * ones made before.
 */
async function stampProblems(
	db: Db,
	orgId: string,
	row: { user_id: string; received_at: string; ticket_issued_at: string },
	manifest: Manifest
) {
	const grants = await db
		.selectFrom('seal_authorisations')
		.select('seal_id')
		.where('user_id', '=', row.user_id)
		.where('granted_at', '<=', row.received_at)
		.where((eb) => eb.or([eb('revoked_at', 'is', null), eb('revoked_at', '>', row.received_at)]))
		.execute();
	const problems = sealProblems(manifest, {
		authorisedSeals: new Set(grants.map((g) => g.seal_id)),
		seals: await sealRecords(
			db,
			orgId,
			manifestSealUses(manifest).map((u) => u.sealId)
		),
		ticketIssuedAt: row.ticket_issued_at
	});
	return problems.filter((p) => p.code !== 'SEAL_DISABLED');
}
