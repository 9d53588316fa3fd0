// One submission as the admin reviews it: its evidence, marks and times.

import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { isoBase64URL, parseAuthenticatorData } from '@simplewebauthn/server/helpers';
import type { Manifest } from '$lib/domain/manifest';
import { signedOffline } from '$lib/domain/review';
import type { ReviewDetail, ReviewMark } from '$lib/domain/api-types';
import type { Db } from '../db/schema';
import type { EnvelopeDefinition } from '../contracts';

/** The authenticator data flags and counter of a stored assertion; null when unreadable. */
export function assertionFacts(assertionJson: string) {
	try {
		const assertion = JSON.parse(assertionJson) as AuthenticationResponseJSON;
		const data = parseAuthenticatorData(
			isoBase64URL.toBuffer(assertion.response.authenticatorData)
		);
		return {
			assertion,
			uv: data.flags.uv,
			be: data.flags.be,
			bs: data.flags.bs,
			counter: data.counter
		};
	} catch {
		return null;
	}
}

function marksOf(manifest: Manifest): ReviewMark[] {
	return [
		...manifest.fills.map((f): ReviewMark => ({
			type: 'fill',
			kind: f.kind,
			fieldId: f.fieldId,
			page: f.page,
			rect: f.rect,
			image: f.kind === 'date' ? null : f.image,
			text: f.kind === 'date' ? f.text : null,
			sealId: f.kind === 'seal' ? f.sealId : null
		})),
		...manifest.seals.map((s): ReviewMark => ({
			type: 'free-seal',
			sealId: s.sealId,
			page: s.page,
			centre: s.centre,
			sizeMm: s.sizeMm,
			image: s.image
		})),
		...manifest.ridingSeams.map((r): ReviewMark => ({
			type: 'riding-seam',
			sealId: r.sealId,
			pages: r.pages,
			edge: r.edge,
			position: r.position,
			sizeMm: r.sizeMm,
			image: r.image
		}))
	];
}

/**
 * The signer's place in the contract in the contract's own words (the signer's name there and
 * their party), for a reviewer who should not have to decode an id like "signer-1". Null when
 * the definition no longer names the signer.
 */
function signerRole(definition: string | null, signerId: string) {
	if (!definition) return null;
	const { signers, parties } = JSON.parse(definition) as EnvelopeDefinition;
	const signer = signers.find((s) => s.id === signerId);
	if (!signer) return null;
	return { name: signer.name, party: parties.find((p) => p.id === signer.partyId)?.name ?? '' };
}

/** The detail query: one submission of the organisation with everything joined by primary key. */
export function reviewDetailQuery(db: Db, orgId: string, id: string) {
	return db
		.selectFrom('submissions as s')
		.innerJoin('envelopes as e', 'e.id', 's.envelope_id')
		.innerJoin('users as u', 'u.id', 's.user_id')
		.innerJoin('credentials as c', 'c.id', 's.credential_id')
		.innerJoin('tickets as t', 't.id', 's.ticket_id')
		.innerJoin('review_items as r', 'r.id', 's.id')
		.select([
			's.id',
			's.seq',
			's.manifest_json',
			's.manifest_hash',
			's.assertion_json',
			's.device_time',
			's.received_at',
			's.confirmed_offline',
			'e.id as envelope_id',
			'e.title',
			'e.definition',
			'u.id as user_id',
			'u.display_name',
			'u.real_name',
			'c.id as credential_id',
			'c.name as credential_name',
			'c.device_type',
			'c.counter',
			'c.revoked_at',
			't.id as ticket_id',
			't.issued_at',
			't.expires_at',
			't.used_at',
			'r.status'
		])
		.where('s.id', '=', id)
		.where('e.org_id', '=', orgId);
}

/**
 * Everything a reviewer judges one submission by. Null when it is not a
 * submission of this organisation, so another organisation's ids read as not found.
 */
export async function reviewDetail(
	db: Db,
	orgId: string,
	id: string
): Promise<ReviewDetail | null> {
	const row = await reviewDetailQuery(db, orgId, id).executeTakeFirst();
	if (!row) return null;
	const manifest = JSON.parse(row.manifest_json) as Manifest;
	const reportedOffline = row.confirmed_offline === null ? null : row.confirmed_offline === 1;
	const facts = assertionFacts(row.assertion_json);
	const event = await db
		.selectFrom('submission_events')
		.select(['at'])
		.where('submission_id', '=', row.id)
		.where('outcome', '=', 'accepted')
		.orderBy('at')
		.executeTakeFirst();
	const decisions = await db
		.selectFrom('review_decisions as d')
		.innerJoin('users as a', 'a.id', 'd.admin_id')
		.select(['d.decision', 'd.comment', 'a.display_name', 'd.at'])
		.where('d.submission_id', '=', row.id)
		.orderBy('d.at', 'desc')
		.orderBy('d.id', 'desc')
		.execute();
	return {
		id: row.id,
		seq: row.seq,
		status: row.status,
		decision: manifest.decision.kind,
		rejectionReason: manifest.decision.kind === 'rejected' ? manifest.decision.reason : null,
		contract: { id: row.envelope_id, title: row.title, revision: manifest.revision },
		signer: {
			userId: row.user_id,
			name: row.display_name,
			realName: row.real_name,
			signerId: manifest.signerId,
			role: signerRole(row.definition, manifest.signerId)
		},
		credential: {
			id: row.credential_id,
			name: row.credential_name,
			deviceType: row.device_type,
			userVerified: facts?.uv ?? false,
			backupEligible: facts?.be ?? false,
			backedUp: facts?.bs ?? false,
			assertionCounter: facts?.counter ?? 0,
			currentCounter: row.counter,
			revokedAt: row.revoked_at
		},
		ticket: {
			id: row.ticket_id,
			issuedAt: row.issued_at,
			expiresAt: row.expires_at,
			usedAt: row.used_at
		},
		deviceTime: row.device_time,
		receivedAt: row.received_at,
		clockGapMs: Date.parse(row.received_at) - Date.parse(row.device_time),
		offline: signedOffline(row.device_time, row.received_at, reportedOffline),
		reportedOffline,
		marks: marksOf(manifest),
		manifestJson: row.manifest_json,
		manifestHash: row.manifest_hash,
		ingest: {
			outcome: 'accepted',
			at: event?.at ?? row.received_at,
			userVerified: facts?.uv ?? false
		},
		decisions: decisions.map((d) => ({
			decision: d.decision,
			comment: d.comment,
			adminName: d.display_name,
			at: d.at
		}))
	};
}
