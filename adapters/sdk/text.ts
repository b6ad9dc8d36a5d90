/**
 * Strict UTF-8 for codecs: the text, or where the bytes stop being UTF-8, so that a refusal can
 * point at the byte. Pure; codecs may import it.
 */

export type Utf8Result = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly invalidAt: number };

/** Decodes `bytes` as UTF-8 (a leading BOM is dropped), refusing any invalid sequence. */
export function decodeUtf8(bytes: Uint8Array): Utf8Result {
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, invalidAt: firstInvalidUtf8(bytes) };
  }
}

/** Offset of the first byte that breaks UTF-8 (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let at = 0; at < bytes.length; ) {
    const lead = bytes[at] as number;
    const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0 || at + length > bytes.length) return at;
    for (let next = 1; next < length; next += 1) if (((bytes[at + next] as number) & 0xc0) !== 0x80) return at;
    const second = bytes[at + 1] as number;
    if ((lead === 0xe0 && second < 0xa0) || (lead === 0xed && second > 0x9f) || (lead === 0xf0 && second < 0x90) || (lead === 0xf4 && second > 0x8f)) return at;
    at += length;
  }
  return bytes.length;
}
