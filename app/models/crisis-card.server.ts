/**
 * Crisis image cards (issue 11, ADR 040): the card layout from templates/crisis/card.ts laid out by satori into an
 * SVG whose words stay text (embedFont: false), rasterised by resvg with the same font files (no system fonts, so
 * every machine draws the same pixels), and a JPEG copy by sharp for Instagram, which takes only JPEG. Stored in the
 * media store by content hash; the same message renders the same bytes.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import satori from 'satori';
import { renderAsync } from '@resvg/resvg-js';
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import city from '../demo/helsingborg.json';
import { mediaStore } from '../../common/media-store.server';
import { CARD_FONT_FAMILY, CARD_HEIGHT, CARD_WIDTH, cardStyleSchema, cardTree, defaultCardStyle, type CardContent, type CardStyle } from '../../templates/crisis/card';

const require = createRequire(import.meta.url);
const fontFiles = [
  require.resolve('@expo-google-fonts/atkinson-hyperlegible/400Regular/AtkinsonHyperlegible_400Regular.ttf'),
  require.resolve('@expo-google-fonts/atkinson-hyperlegible/700Bold/AtkinsonHyperlegible_700Bold.ttf'),
] as const;

let fonts: { name: string; data: Buffer; weight: 400 | 700; style: 'normal' }[] | undefined;
function loadFonts() {
  fonts ??= [
    { name: CARD_FONT_FAMILY, data: readFileSync(fontFiles[0]), weight: 400, style: 'normal' },
    { name: CARD_FONT_FAMILY, data: readFileSync(fontFiles[1]), weight: 700, style: 'normal' },
  ];
  return fonts;
}

let style: CardStyle | undefined;
/** The city's card style (helsingborg.json "crisisCard"); a style below 7:1 contrast stops the process at first use. */
export function cityCardStyle(): CardStyle {
  const configured = (city as { crisisCard?: unknown }).crisisCard;
  style ??= configured === undefined ? defaultCardStyle : cardStyleSchema.parse(configured);
  return style;
}

export interface RenderedCard {
  svg: string;
  png: Buffer;
  jpeg: Buffer;
  width: number;
  height: number;
}

export async function renderCard(content: CardContent, cardStyle: CardStyle = cityCardStyle()): Promise<RenderedCard> {
  // satori's types want a ReactNode; the tree is the same plain { type, props } shape React elements have.
  const svg = await satori(cardTree(content, cardStyle) as unknown as Parameters<typeof satori>[0], {
    width: CARD_WIDTH,
    height: CARD_HEIGHT,
    fonts: loadFonts(),
    embedFont: false,
  });
  // Off the main thread (libuv's pool), so the languages of a message render side by side.
  const image = await renderAsync(svg, {
    font: { loadSystemFonts: false, fontFiles: [...fontFiles], defaultFontFamily: CARD_FONT_FAMILY },
    fitTo: { mode: 'original' },
  });
  const png = image.asPng();
  const jpeg = await sharp(png).jpeg({ quality: 90, mozjpeg: true }).toBuffer();
  return { svg, png, jpeg, width: image.width, height: image.height };
}

/** A stored card file, described the way post_media rows are. */
export interface StoredCardFile {
  kind: 'image';
  filename: string;
  mimeType: 'image/png' | 'image/jpeg';
  sizeBytes: number;
  width: number;
  height: number;
  sha256: string;
  altText: string;
}

/**
 * The same content renders the same bytes, so the files of recent cards are remembered by their content: a retried
 * publish, or the same drill run again, stores nothing new and renders nothing (checked against the store).
 */
const recent = new Map<string, { png: StoredCardFile; jpeg: StoredCardFile }>();
const RECENT_MAX = 64;

/** Renders and stores one card: the PNG for X and Facebook, the JPEG for Instagram; both carry the alt text. */
export async function storeCard(content: CardContent, altText: string, basename: string): Promise<{ png: StoredCardFile; jpeg: StoredCardFile }> {
  const key = createHash('sha256').update(JSON.stringify([content, cityCardStyle(), altText, basename])).digest('hex');
  const known = recent.get(key);
  if (known && (await mediaStore().has(known.png.sha256)) && (await mediaStore().has(known.jpeg.sha256))) return known;
  const stored = await renderAndStore(content, altText, basename);
  recent.set(key, stored);
  if (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value!);
  return stored;
}

async function renderAndStore(content: CardContent, altText: string, basename: string): Promise<{ png: StoredCardFile; jpeg: StoredCardFile }> {
  const card = await renderCard(content);
  const [pngSha, jpegSha] = await Promise.all([mediaStore().put(card.png), mediaStore().put(card.jpeg)]);
  const common = { kind: 'image' as const, width: card.width, height: card.height, altText };
  return {
    png: { ...common, filename: `${basename}.png`, mimeType: 'image/png', sizeBytes: card.png.length, sha256: pngSha },
    jpeg: { ...common, filename: `${basename}.jpg`, mimeType: 'image/jpeg', sizeBytes: card.jpeg.length, sha256: jpegSha },
  };
}

/** What a card will be, for the limit checks before anything is rendered (preview). */
export function plannedCard(platform: string): { kind: 'image'; mimeType: string; sizeBytes: number; width: number; height: number } {
  // A card is well under 1 MB; the checks only need its type and proportions.
  return { kind: 'image', mimeType: platform === 'instagram' ? 'image/jpeg' : 'image/png', sizeBytes: 200_000, width: CARD_WIDTH, height: CARD_HEIGHT };
}
