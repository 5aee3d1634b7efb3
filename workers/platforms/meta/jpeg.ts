/** Just enough of the JPEG and ISO-BMFF formats to check what Meta checks: magic bytes and pixel dimensions. */

export function isJpeg(data: Uint8Array): boolean {
  return data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff;
}

const standalone = (marker: number) => marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9);
/** SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
const isStartOfFrame = (marker: number) =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

/** Width and height from the first start-of-frame segment, or null when the file has none before the scan. */
export function jpegDimensions(data: Uint8Array): { width: number; height: number } | null {
  if (!isJpeg(data)) return null;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let pos = 2;
  while (pos + 4 <= data.length) {
    if (data[pos] !== 0xff) return null;
    const marker = data[pos + 1] ?? 0;
    if (marker === 0xff) {
      pos += 1; // fill byte
      continue;
    }
    if (standalone(marker)) {
      pos += 2;
      continue;
    }
    if (marker === 0xda) return null; // start of scan: the frame header should have come first
    const length = view.getUint16(pos + 2);
    if (isStartOfFrame(marker)) {
      if (pos + 9 > data.length) return null;
      return { height: view.getUint16(pos + 5), width: view.getUint16(pos + 7) };
    }
    pos += 2 + length;
  }
  return null;
}

/** MP4 and MOV files start with a box whose type is at offset 4 ("ftyp", or "moov"/"mdat"/"wide"/"free" in old MOVs). */
export function isMp4OrMov(data: Uint8Array): boolean {
  if (data.length < 8) return false;
  const type = String.fromCharCode(...data.subarray(4, 8));
  return ['ftyp', 'moov', 'mdat', 'wide', 'free'].includes(type);
}
