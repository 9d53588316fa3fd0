import { PDFDocument, rgb, type PDFFont, type PDFPage } from '@cantoo/pdf-lib';
import fontkit from '@cantoo/fontkit';

/** Fixed metadata date: the demo contract must have the same bytes on every machine. */
const FIXED_DATE = new Date('2026-01-01T00:00:00Z');

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 56;

interface Section {
	heading: string;
	lines: string[];
}

const SECTIONS: Section[][] = [
	[
		{
			heading: '采购合同 Purchase Agreement',
			lines: [
				'合同编号 Contract No.: SP-DEMO-0001',
				'甲方（买方）Party A (Buyer): 示例科技有限公司 Demo Technology Co., Ltd.',
				'乙方（卖方）Party B (Seller): 远山设备制造有限公司 Yuanshan Equipment Manufacturing Co., Ltd.'
			]
		},
		{
			heading: '第一条 标的 Article 1 Subject Matter',
			lines: [
				'乙方向甲方供应现场检测设备二十台，规格见附件一。',
				'Party B supplies twenty field inspection units to Party A, as specified in Annex 1.',
				'单价人民币壹万贰仟元整（¥12,000.00），合计人民币贰拾肆万元整（¥240,000.00）。',
				'Unit price CNY 12,000.00; total CNY 240,000.00.'
			]
		},
		{
			heading: '第二条 交付 Article 2 Delivery',
			lines: [
				'乙方应于合同签署后三十日内将设备送达甲方指定地点。',
				'Party B delivers the units to the place named by Party A within thirty days of signing.'
			]
		}
	],
	[
		{
			heading: '第三条 验收 Article 3 Acceptance',
			lines: [
				'甲方在收货后七个工作日内完成验收；逾期未提出异议的，视为验收合格。',
				'Party A inspects within seven working days of receipt; silence counts as acceptance.'
			]
		},
		{
			heading: '第四条 付款 Article 4 Payment',
			lines: [
				'验收合格后十五日内，甲方支付全部货款至乙方指定账户。',
				'Party A pays the full price within fifteen days of acceptance.'
			]
		},
		{
			heading: '第五条 违约责任 Article 5 Liability',
			lines: [
				'任何一方违约，应赔偿守约方因此遭受的全部损失。',
				'A party in breach compensates the other for all resulting loss.'
			]
		}
	],
	[
		{
			heading: '第六条 争议解决 Article 6 Disputes',
			lines: [
				'因本合同引起的争议，双方协商解决；协商不成的，提交甲方所在地人民法院诉讼解决。',
				'Disputes are settled by negotiation, failing which by the court where Party A is seated.'
			]
		},
		{
			heading: '签署 Signatures',
			lines: [
				'本合同自双方签字盖章之日起生效。 This agreement takes effect when signed and sealed.',
				'',
				'甲方（盖章）Party A (seal):                      乙方（盖章）Party B (seal):',
				'',
				'',
				'代表签字 Signed by:                                  代表签字 Signed by:',
				'',
				'日期 Date:                                              日期 Date:'
			]
		}
	]
];

function drawPage(
	page: PDFPage,
	font: PDFFont,
	sections: Section[],
	pageNo: number,
	pages: number
) {
	let y = A4[1] - MARGIN;
	for (const section of sections) {
		page.drawText(section.heading, { x: MARGIN, y, size: 14, font, color: rgb(0.1, 0.1, 0.1) });
		y -= 26;
		for (const line of section.lines) {
			if (line)
				page.drawText(line, { x: MARGIN, y, size: 10.5, font, color: rgb(0.15, 0.15, 0.15) });
			y -= 18;
		}
		y -= 14;
	}
	const footer = `第 ${pageNo} 页 / 共 ${pages} 页  Page ${pageNo} of ${pages}`;
	page.drawText(footer, { x: MARGIN, y: 32, size: 9, font, color: rgb(0.4, 0.4, 0.4) });
}

/**
 * Builds the bilingual, multi-page demo contract seeded on first start. Pure bytes in, bytes out:
 * the CJK font is passed in (read from disk by the server, fetched by a browser), so this runs
 * anywhere and gives identical bytes for the same font.
 */
export async function createDemoContract(fontBytes: Uint8Array): Promise<Uint8Array> {
	const doc = await PDFDocument.create({ updateMetadata: false });
	doc.registerFontkit(fontkit);
	const font = await doc.embedFont(fontBytes, { subset: true });
	doc.setTitle('采购合同 Purchase Agreement (SealPass demo)', { showInWindowTitleBar: true });
	doc.setProducer('SealPass');
	doc.setCreator('SealPass');
	doc.setCreationDate(FIXED_DATE);
	doc.setModificationDate(FIXED_DATE);
	SECTIONS.forEach((sections, i) => {
		drawPage(doc.addPage(A4), font, sections, i + 1, SECTIONS.length);
	});
	return doc.save({ useObjectStreams: false });
}
