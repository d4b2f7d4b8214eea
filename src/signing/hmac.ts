import { createHmac, timingSafeEqual } from 'node:crypto';

export const hmacSha256 = (key: Buffer | string, message: Buffer | string): Buffer =>
  createHmac('sha256', key).update(message).digest();

/** Constant-time comparison of two byte strings; different lengths compare unequal. */
export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
