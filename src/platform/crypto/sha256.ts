// SHA-256 in hex, the one way to hash bytes to hex here. Node's one-shot hash() builds no Hash object:
// about half the CPU of createHash().update().digest() on the short inputs hashed per request
// (an API key, a request's headers, a payload of a few KB).
import { type BinaryLike, hash } from 'node:crypto';

export const sha256Hex = (data: BinaryLike): string => hash('sha256', data, 'hex');
