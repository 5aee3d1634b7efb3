import type { DraftMedia } from './contract';
import { isJpeg, jpegDimensions } from './meta/jpeg';

/** Recognises a media file by its bytes, not its name: what the platforms themselves look at. */
export function sniffMimeType(data: Uint8Array): string {
  if (isJpeg(data)) return 'image/jpeg';
  if (data[0] === 0x89 && data[1] === 0x50 && data[2] === 0x4e && data[3] === 0x47) return 'image/png';
  if (data[0] === 0x47 && data[1] === 0x49 && data[2] === 0x46) return 'image/gif';
  if (String.fromCharCode(...data.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...data.subarray(8, 12)) === 'WEBP') return 'image/webp';
  const box = String.fromCharCode(...data.subarray(4, 8));
  if (box === 'ftyp') return String.fromCharCode(...data.subarray(8, 10)) === 'qt' ? 'video/quicktime' : 'video/mp4';
  return 'application/octet-stream';
}

function pngDimensions(data: Uint8Array): { width: number; height: number } | null {
  if (data.length < 24) return null;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

export function describeMedia(data: Uint8Array, filename: string): DraftMedia & { filename: string } {
  const mimeType = sniffMimeType(data);
  const kind = mimeType.startsWith('video/') ? 'video' : 'image';
  const dims = mimeType === 'image/jpeg' ? jpegDimensions(data) : mimeType === 'image/png' ? pngDimensions(data) : null;
  return { filename, kind, mimeType, sizeBytes: data.length, ...(dims ?? {}) };
}
