import { describe, expect, it } from 'vitest';
import {
	signersDue,
	waitingOn,
	turnOpenedFor,
	headlineProblem,
	sealProblems,
	validateManifest,
	mayFill,
	isComplete,
	filledFields,
	type SealRecord,
	type ValidationContext
} from './rules';
import { parseManifest } from './manifest-schema';
import {
	placeOf,
	sampleEnvelope,
	sampleManifest,
	sampleSeals,
	SAMPLE_TICKET_ISSUED_AT,
	SEAL_IMAGE,
	SIGNATURE_IMAGE
} from './fixtures';
import type { Manifest } from './manifest';

const ctx = (over: Partial<ValidationContext> = {}): ValidationContext => ({
	accepted: [],
	images: new Set([SIGNATURE_IMAGE, SEAL_IMAGE]),
	authorisedSeals: new Set(['seal-contract']),
	seals: sampleSeals(),
	ticketIssuedAt: SAMPLE_TICKET_ISSUED_AT,
	...over
});

const codes = (manifest: Manifest, c = ctx(), envelope = sampleEnvelope()) =>
	validateManifest(envelope, manifest, c).map((p) => `${p.rule}:${p.code}`);

const bobManifest = (over: Partial<Manifest> = {}) =>
	sampleManifest({
		signerId: 'bob',
		credentialId: 'cred-bob',
		fills: [{ ...placeOf('f-sig-b'), kind: 'signature', image: SIGNATURE_IMAGE }],
		seals: [],
		ridingSeams: [],
		...over
	});

describe('manifest shape', () => {
	it('M1: accepts the sample manifest and refuses unknown keys, bad hashes and bad sizes', () => {
		expect(parseManifest(sampleManifest()).ok).toBe(true);
		const extra = { ...sampleManifest(), extra: 1 };
		expect(parseManifest(extra)).toMatchObject({ ok: false, code: 'MANIFEST_INVALID' });
		expect(parseManifest(sampleManifest({ docHash: 'ABC' })).ok).toBe(false);
		const tiny = sampleManifest();
		tiny.seals[0]!.sizeMm.width = 2;
		expect(parseManifest(tiny).ok).toBe(false);
		expect(parseManifest(null).ok).toBe(false);
		expect(
			parseManifest({
				...sampleManifest(),
				ridingSeams: [{ ...sampleManifest().ridingSeams[0], pages: [1] }]
			}).ok
		).toBe(false);
	});
});

describe('sizes and texts (checked with the shape)', () => {
	it('R17: seal and signature sizes are 5–100 mm', () => {
		for (const [width, ok] of [
			[4.9, false],
			[5, true],
			[100, true],
			[100.1, false]
		] as const) {
			const m = sampleManifest();
			m.seals[0]!.sizeMm = { width, height: 42 };
			expect(parseManifest(m).ok).toBe(ok);
		}
	});

	it('R18: date text is 1–40 characters', () => {
		const withDate = (text: string) => {
			const m = sampleManifest();
			m.fills[2] = { ...placeOf('f-date-a'), kind: 'date', text };
			return parseManifest(m).ok;
		};
		expect(withDate('2026年3月1日')).toBe(true);
		expect(withDate('')).toBe(false);
		expect(withDate('x'.repeat(40))).toBe(true);
		expect(withDate('x'.repeat(41))).toBe(false);
	});
});

describe('validateManifest', () => {
	it('accepts a complete, well-placed manifest', () => {
		expect(codes(sampleManifest())).toEqual([]);
	});

	it('R1: refuses a manifest for another document', () => {
		expect(codes(sampleManifest({ docHash: 'd'.repeat(64) }))).toContain('R1:DOC_MISMATCH');
		expect(codes(sampleManifest({ envelopeId: 'other' }))).toContain('R1:MANIFEST_INVALID');
	});

	it('R2: refuses a manifest made on an older revision with DOC_REVISED', () => {
		expect(codes(sampleManifest(), ctx(), sampleEnvelope({ revision: 2 }))).toContain(
			'R2:DOC_REVISED'
		);
	});

	it('R3: refuses signing a revoked or completed envelope', () => {
		expect(codes(sampleManifest(), ctx(), sampleEnvelope({ status: 'revoked' }))).toContain(
			'R3:ENVELOPE_CLOSED'
		);
	});

	it('R3: refuses signing a returned envelope until it is resent', () => {
		for (const status of ['returned', 'draft', 'completed'] as const) {
			expect(codes(sampleManifest(), ctx(), sampleEnvelope({ status }))).toContain(
				'R3:ENVELOPE_CLOSED'
			);
		}
		expect(codes(sampleManifest(), ctx(), sampleEnvelope({ status: 'sent' }))).toEqual([]);
	});

	it('R2: a manifest of the returned round, replayed after the resend (revision 2), is refused', () => {
		// Alice returned revision 1; her signed manifest for revision 1 (made offline before she
		// changed her mind, or captured) must not count on the resent revision 2.
		const returned = sampleManifest({
			decision: { kind: 'rejected', reason: '价格有误' },
			fills: [],
			seals: [],
			ridingSeams: []
		});
		const resent = sampleEnvelope({ revision: 2 });
		expect(codes(sampleManifest(), ctx({ accepted: [returned] }), resent)).toContain(
			'R2:DOC_REVISED'
		);
		expect(headlineProblem(validateManifest(resent, sampleManifest(), ctx()))?.code).toBe(
			'DOC_REVISED'
		);
	});

	it('R4: refuses a signer who is not on the envelope', () => {
		expect(codes(sampleManifest({ signerId: 'mallory' }))).toEqual(['R4:MANIFEST_INVALID']);
	});

	it('R5: refuses a fill of a field that does not exist', () => {
		const m = sampleManifest();
		m.fills.push({
			...placeOf('f-sig-a'),
			fieldId: 'nope',
			kind: 'signature',
			image: SIGNATURE_IMAGE
		});
		expect(codes(m)).toContain('R5:FIELD_UNKNOWN');
	});

	it("R6: refuses filling another signer's field", () => {
		const m = sampleManifest();
		m.fills.push({ ...placeOf('f-sig-b'), kind: 'signature', image: SIGNATURE_IMAGE });
		expect(codes(m)).toContain('R6:FIELD_NOT_YOURS');
	});

	it('R7: refuses a fill whose kind differs from the field', () => {
		const m = sampleManifest();
		m.fills[0] = { ...placeOf('f-sig-a'), kind: 'date', text: '2026-03-01' };
		expect(codes(m)).toContain('R7:FIELD_KIND_MISMATCH');
	});

	it('R7: refuses a fill whose page or rectangle differs from the field', () => {
		const moved = sampleManifest();
		moved.fills[0]!.rect.x += 1;
		expect(codes(moved)).toEqual(['R7:MANIFEST_INVALID']);
		const paged = sampleManifest();
		paged.fills[0]!.page = 2;
		expect(codes(paged)).toEqual(['R7:MANIFEST_INVALID']);
	});

	it('R8: refuses a field filled twice, in one manifest or by an accepted one', () => {
		const m = sampleManifest();
		m.fills.push({ ...m.fills[0]! });
		expect(codes(m)).toContain('R8:FIELD_TAKEN');
		const parallel = sampleEnvelope({ signingOrder: 'parallel' });
		parallel.fields[4] = { ...parallel.fields[4]!, signerId: 'alice' };
		parallel.fields.push({ ...parallel.fields[4]!, id: 'f-bob-2', signerId: 'bob' });
		const alice = sampleManifest();
		alice.fills.push({
			...placeOf('f-sig-b', parallel),
			kind: 'signature',
			image: SIGNATURE_IMAGE
		});
		const bob = bobManifest({
			fills: [{ ...placeOf('f-sig-b', parallel), kind: 'signature', image: SIGNATURE_IMAGE }]
		});
		expect(codes(bob, ctx({ accepted: [alice] }), parallel)).toContain('R8:FIELD_TAKEN');
	});

	it('R9: in sequential order a later signer waits; in parallel order nobody waits', () => {
		expect(codes(bobManifest())).toContain('R9:NOT_YOUR_TURN');
		expect(codes(bobManifest(), ctx({ accepted: [sampleManifest()] }))).toEqual([]);
		expect(codes(bobManifest(), ctx(), sampleEnvelope({ signingOrder: 'parallel' }))).toEqual([]);
	});

	it('R9: a rejection by an earlier signer does not open the turn of the next', () => {
		const rejected = sampleManifest({
			decision: { kind: 'rejected', reason: '价格有误' },
			fills: [],
			seals: [],
			ridingSeams: []
		});
		expect(codes(bobManifest(), ctx({ accepted: [rejected] }))).toContain('R9:NOT_YOUR_TURN');
	});

	it('LC8: only the signers who must act now are due; a signature opens the next turn, a return none', () => {
		const sequential = sampleEnvelope();
		const parallel = sampleEnvelope({ signingOrder: 'parallel' });
		const signed = sampleManifest();
		const rejected = sampleManifest({
			decision: { kind: 'rejected', reason: '价格有误' },
			fills: [],
			seals: [],
			ridingSeams: []
		});
		expect(signersDue(sequential, [])).toEqual(['alice']);
		expect(turnOpenedFor(sequential, [], [signed])).toEqual(['bob']);
		expect(signersDue(sequential, [signed])).toEqual(['bob']);
		expect(turnOpenedFor(sequential, [], [rejected])).toEqual([]);
		expect(signersDue(parallel, [])).toEqual(['alice', 'bob']);
		expect(turnOpenedFor(parallel, [], [signed])).toEqual([]);
		// Whom a later signer waits for, named on their device (R9).
		expect(waitingOn(sequential, [], 'bob').map((s) => s.id)).toEqual(['alice']);
		expect(waitingOn(sequential, [rejected], 'bob').map((s) => s.id)).toEqual(['alice']);
		expect(waitingOn(sequential, [signed], 'bob')).toEqual([]);
		expect(waitingOn(sequential, [], 'alice')).toEqual([]);
		expect(waitingOn(parallel, [], 'bob')).toEqual([]);
	});

	it('R10: a signer decides once', () => {
		const again = sampleManifest();
		expect(codes(again, ctx({ accepted: [sampleManifest()] }))).toContain('R10:MANIFEST_INVALID');
	});

	it('R10: a decision on an earlier revision does not block the signer in the new round', () => {
		const returned = sampleManifest({
			decision: { kind: 'rejected', reason: '价格有误' },
			fills: [],
			seals: [],
			ridingSeams: []
		});
		const resent = sampleEnvelope({ revision: 2 });
		expect(codes(sampleManifest({ revision: 2 }), ctx({ accepted: [returned] }), resent)).toEqual(
			[]
		);
		// Within the round, one decision still ends the signer's say.
		const again = sampleManifest({ revision: 2 });
		expect(
			codes(again, ctx({ accepted: [returned, sampleManifest({ revision: 2 })] }), resent)
		).toContain('R10:MANIFEST_INVALID');
	});

	it('R8, R9: fields filled and turns taken in an earlier revision do not count in the new one', () => {
		const resent = sampleEnvelope({ revision: 2 });
		const oldAlice = sampleManifest();
		// Alice signed revision 1: on revision 2 her fields are free again (R8, mayFill) ...
		expect(mayFill(resent, [oldAlice], 'alice', 'f-sig-a')).toMatchObject({ ok: true });
		expect(mayFill(sampleEnvelope(), [oldAlice], 'alice', 'f-sig-a')).toMatchObject({
			code: 'FIELD_TAKEN'
		});
		// ... and Bob's turn waits for her signature on revision 2 (R9).
		expect(codes(bobManifest({ revision: 2 }), ctx({ accepted: [oldAlice] }), resent)).toContain(
			'R9:NOT_YOUR_TURN'
		);
		expect(
			codes(
				bobManifest({ revision: 2 }),
				ctx({ accepted: [oldAlice, sampleManifest({ revision: 2 })] }),
				resent
			)
		).toEqual([]);
	});

	it('R11: a signed manifest fills every required field of its signer', () => {
		const m = sampleManifest({
			fills: sampleManifest().fills.filter((f) => f.fieldId !== 'f-seal-a')
		});
		expect(codes(m)).toEqual(['R11:FIELD_MISSING']);
		const noDate = sampleManifest({
			fills: sampleManifest().fills.filter((f) => f.kind !== 'date')
		});
		expect(codes(noDate)).toEqual([]);
	});

	it('R12: every image referenced must be present', () => {
		expect(codes(sampleManifest(), ctx({ images: new Set([SIGNATURE_IMAGE]) }))).toContain(
			'R12:IMAGE_MISSING'
		);
	});

	it('R13: every seal used must be authorised for the signer', () => {
		const refused = codes(sampleManifest(), ctx({ authorisedSeals: new Set() }));
		expect(refused.filter((c) => c === 'R13:SEAL_NOT_AUTHORISED')).toHaveLength(3);
	});

	it('OC5: an uncertified organisation stamps nothing; its signatures are unaffected', () => {
		const refused = validateManifest(
			sampleEnvelope(),
			sampleManifest(),
			ctx({ orgCertified: false })
		);
		expect(refused.filter((p) => p.code === 'ORG_NOT_CERTIFIED')).toHaveLength(3);
		expect(headlineProblem(refused)?.code).toBe('ORG_NOT_CERTIFIED');
		expect(codes(sampleManifest(), ctx({ orgCertified: true }))).toEqual([]);
		// Bob only signs: whatever else his manifest meets, certification is not it.
		const signatureOnly = codes(bobManifest(), ctx({ orgCertified: false }));
		expect(signatureOnly.some((c) => c.startsWith('OC5'))).toBe(false);
	});

	it('R20: every seal fill, free seal and riding seam carries the seal’s own image', () => {
		const forged = 'f'.repeat(64);
		const m = sampleManifest();
		for (const stamp of [m.fills[1]!, m.seals[0]!, m.ridingSeams[0]!]) {
			if ('image' in stamp) stamp.image = forged;
		}
		// The forged image is held and the seal authorised: only R20 stands between it and acceptance.
		const refused = codes(m, ctx({ images: new Set([SIGNATURE_IMAGE, forged]) }));
		expect(refused).toEqual([
			'R20:SEAL_IMAGE_MISMATCH',
			'R20:SEAL_IMAGE_MISMATCH',
			'R20:SEAL_IMAGE_MISMATCH'
		]);
		// Another seal's genuine image under this seal's id is just as foreign.
		const other = new Map(sampleSeals());
		other.set('seal-finance', {
			status: 'active',
			versions: [{ ...sampleSeals().get('seal-contract')!.versions[0]!, imageHash: forged }]
		});
		const borrowed = sampleManifest();
		borrowed.seals[0]!.image = forged;
		expect(
			codes(
				borrowed,
				ctx({
					images: new Set([SIGNATURE_IMAGE, SEAL_IMAGE, forged]),
					authorisedSeals: new Set(['seal-contract', 'seal-finance']),
					seals: other
				})
			)
		).toEqual(['R20:SEAL_IMAGE_MISMATCH']);
		// A seal the receiver does not know has no image at all.
		expect(codes(sampleManifest(), ctx({ seals: new Map() }))).toEqual([
			'R20:SEAL_IMAGE_MISMATCH',
			'R20:SEAL_IMAGE_MISMATCH',
			'R20:SEAL_IMAGE_MISMATCH'
		]);
	});

	it('R20: every stamp is at the real size of the seal image it carries', () => {
		const m = sampleManifest();
		m.fills[1] = { ...(m.fills[1] as Extract<Manifest['fills'][number], { kind: 'seal' }>) };
		(m.fills[1] as { sizeMm: { width: number; height: number } }).sizeMm = {
			width: 30,
			height: 30
		};
		m.seals[0]!.sizeMm = { width: 42, height: 40 };
		expect(codes(m)).toEqual(['R20:SEAL_SIZE_MISMATCH', 'R20:SEAL_SIZE_MISMATCH']);
		const rounding = sampleManifest();
		rounding.seals[0]!.sizeMm = { width: 42 + 1e-9, height: 42 };
		expect(codes(rounding)).toEqual([]);
	});

	it('R20: after a regeneration the old image stays good for tickets issued before it, the new one for every ticket still valid', () => {
		const newImage = 'e'.repeat(64);
		const regenerated = '2026-02-25T08:00:00.000Z';
		const seals = new Map<string, SealRecord>([
			[
				'seal-contract',
				{
					status: 'active',
					versions: [
						{
							imageHash: SEAL_IMAGE,
							sizeMm: { width: 42, height: 42 },
							validFrom: '2026-01-01T00:00:00.000Z',
							validUntil: regenerated
						},
						{
							imageHash: newImage,
							sizeMm: { width: 40, height: 40 },
							validFrom: regenerated,
							validUntil: null
						}
					]
				}
			]
		]);
		const images = new Set([SIGNATURE_IMAGE, SEAL_IMAGE, newImage]);
		const before = ctx({ seals, images, ticketIssuedAt: '2026-02-20T08:00:00.000Z' });
		const after = ctx({ seals, images, ticketIssuedAt: '2026-02-26T08:00:00.000Z' });
		// The device held the old image with a ticket from before the change: accepted.
		expect(codes(sampleManifest(), before)).toEqual([]);
		// A ticket issued after the change: the old image was already retired.
		expect(codes(sampleManifest(), after)).toEqual([
			'R20:SEAL_IMAGE_MISMATCH',
			'R20:SEAL_IMAGE_MISMATCH',
			'R20:SEAL_IMAGE_MISMATCH'
		]);
		// The new image at its own size, whichever ticket: a device may refresh its seals first.
		const fresh = sampleManifest();
		fresh.fills[1] = {
			...fresh.fills[1]!,
			image: newImage,
			sizeMm: { width: 40, height: 40 }
		} as Manifest['fills'][number];
		fresh.seals = [];
		fresh.ridingSeams = [];
		fresh.fills = fresh.fills.slice(0, 2);
		expect(codes(fresh, before)).toEqual([]);
		expect(codes(fresh, after)).toEqual([]);
		// The new image at the old size is not the seal.
		const mixed = structuredClone(fresh);
		(mixed.fills[1] as { sizeMm: { width: number; height: number } }).sizeMm = {
			width: 42,
			height: 42
		};
		expect(codes(mixed, after)).toEqual(['R20:SEAL_SIZE_MISMATCH']);
	});

	it('R21: a disabled seal is refused like a revoked one, and heads the refusal like one', () => {
		const seals = sampleSeals();
		seals.set('seal-contract', { ...seals.get('seal-contract')!, status: 'disabled' });
		const problems = validateManifest(sampleEnvelope(), sampleManifest(), ctx({ seals }));
		expect(problems.map((p) => `${p.rule}:${p.code}`)).toEqual([
			'R21:SEAL_DISABLED',
			'R21:SEAL_DISABLED',
			'R21:SEAL_DISABLED'
		]);
		expect(
			headlineProblem([{ code: 'IMAGE_MISSING', rule: 'R12', path: 'x' }, ...problems])?.code
		).toBe('SEAL_DISABLED');
	});

	it('R13 R20 R21: sealProblems judges the stamps alone exactly as validateManifest does', () => {
		const m = sampleManifest();
		m.seals[0]!.image = 'f'.repeat(64);
		m.ridingSeams[0]!.sizeMm = { width: 30, height: 30 };
		const seals = sampleSeals();
		const c = ctx({ seals, images: new Set([SIGNATURE_IMAGE, SEAL_IMAGE, 'f'.repeat(64)]) });
		const sealCodes = [
			'SEAL_NOT_AUTHORISED',
			'SEAL_IMAGE_MISMATCH',
			'SEAL_SIZE_MISMATCH',
			'SEAL_DISABLED'
		];
		const full = validateManifest(sampleEnvelope(), m, c).filter((p) => sealCodes.includes(p.code));
		expect(sealProblems(m, c)).toEqual(full);
		expect(full.map((p) => p.path)).toEqual(['seals.0.image', 'ridingSeams.0.sizeMm']);
		expect(sealProblems(bobManifest(), c)).toEqual([]);
	});

	it('R14: a free seal lies wholly inside an existing page', () => {
		const off = sampleManifest();
		off.seals[0]!.centre = { x: 590, y: 400 };
		expect(codes(off)).toContain('R14:POSITION_OUTSIDE_PAGE');
		const noPage = sampleManifest();
		noPage.seals[0]!.page = 4;
		expect(codes(noPage)).toContain('R14:PAGE_OUT_OF_RANGE');
	});

	it('R15: a riding seam spans at least two existing pages in order and fits vertically', () => {
		const one = sampleManifest();
		one.ridingSeams[0]!.pages = [3, 2];
		expect(codes(one)).toContain('R15:PAGE_OUT_OF_RANGE');
		const beyond = sampleManifest();
		beyond.ridingSeams[0]!.pages = [2, 4];
		expect(codes(beyond)).toContain('R15:PAGE_OUT_OF_RANGE');
		const top = sampleManifest();
		top.ridingSeams[0]!.position = 1;
		expect(codes(top)).toContain('R15:POSITION_OUTSIDE_PAGE');
		const chosen = sampleManifest();
		chosen.ridingSeams[0]!.pages = [1, 3];
		expect(codes(chosen)).toEqual([]);
	});

	it('R16: a rejection carries a 1–500 character reason and no marks', () => {
		const reject = (reason: string, over: Partial<Manifest> = {}) =>
			codes(
				sampleManifest({
					decision: { kind: 'rejected', reason },
					fills: [],
					seals: [],
					ridingSeams: [],
					...over
				})
			);
		expect(reject('金额与报价单不符')).toEqual([]);
		expect(reject('   ')).toContain('R16:REASON_INVALID');
		expect(reject('退'.repeat(500))).toEqual([]);
		expect(reject('退'.repeat(501))).toContain('R16:REASON_INVALID');
		expect(reject('ok', { fills: sampleManifest().fills })).toContain('R16:MANIFEST_INVALID');
	});
});

describe('headline of a refusal', () => {
	it('R19: a state conflict heads the refusal, before problems that follow from it', () => {
		const again = sampleManifest();
		const problems = validateManifest(
			sampleEnvelope(),
			again,
			ctx({ accepted: [sampleManifest()] })
		);
		expect(problems.map((p) => p.code)).toEqual(
			expect.arrayContaining(['MANIFEST_INVALID', 'FIELD_TAKEN'])
		);
		expect(problems[0]!.code).toBe('MANIFEST_INVALID');
		expect(headlineProblem(problems)?.code).toBe('FIELD_TAKEN');
		expect(headlineProblem([])).toBeUndefined();
		const shapeOnly = validateManifest(sampleEnvelope(), sampleManifest({ signerId: 'x' }), ctx());
		expect(headlineProblem(shapeOnly)?.code).toBe('MANIFEST_INVALID');
	});
});

describe('mayFill and completion', () => {
	it('R5 R6 R8 R9: mayFill answers with the first rule that stops the signer', () => {
		const env = sampleEnvelope();
		expect(mayFill(env, [], 'alice', 'f-sig-a')).toMatchObject({ ok: true });
		expect(mayFill(env, [], 'alice', 'nope')).toMatchObject({ code: 'FIELD_UNKNOWN' });
		expect(mayFill(env, [], 'alice', 'f-sig-b')).toMatchObject({ code: 'FIELD_NOT_YOURS' });
		expect(mayFill(env, [], 'bob', 'f-sig-b')).toMatchObject({ code: 'NOT_YOUR_TURN' });
		expect(mayFill(env, [sampleManifest()], 'alice', 'f-sig-a')).toMatchObject({
			code: 'FIELD_TAKEN'
		});
		expect(mayFill(env, [sampleManifest()], 'bob', 'f-sig-b')).toMatchObject({ ok: true });
	});

	it('C1: complete when every required field is filled, never after a rejection', () => {
		const env = sampleEnvelope();
		expect(isComplete(env, [])).toBe(false);
		expect(isComplete(env, [sampleManifest()])).toBe(false);
		expect(isComplete(env, [sampleManifest(), bobManifest()])).toBe(true);
		const rejected = bobManifest({ decision: { kind: 'rejected', reason: 'no' }, fills: [] });
		expect(isComplete(env, [sampleManifest(), rejected])).toBe(false);
	});

	it('C1: only the current round completes: a return on revision 1 does not stop revision 2', () => {
		const returned = bobManifest({ decision: { kind: 'rejected', reason: 'no' }, fills: [] });
		const resent = sampleEnvelope({ revision: 2 });
		const round2 = [sampleManifest({ revision: 2 }), bobManifest({ revision: 2 })];
		expect(isComplete(resent, [sampleManifest(), returned, ...round2])).toBe(true);
		// Signatures of revision 1 do not complete revision 2.
		expect(isComplete(resent, [sampleManifest(), bobManifest()])).toBe(false);
	});

	it('C2: riding-seam fields count as filled through the seam that names them', () => {
		expect([...filledFields([sampleManifest()]).keys()]).toContain('f-seam-a');
	});
});
