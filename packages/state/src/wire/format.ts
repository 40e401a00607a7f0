/** First byte of a full state: then varint seq, then the root (varint ref 0 + body). */
export const FULL = 0x80;
/** First byte of a view switch: then varint seq (unchanged), then change entries. */
export const REBASE = 0x81;
/** A patch's first byte is its sequence number modulo 128 (0x00..0x7f). */
export const SEQ_MASK = 0x7f;
/** Map operation: set key to a value (replacing any). */
export const MAP_SET = 0;
/** Map operation: delete key. */
export const MAP_DELETE = 1;
