/**
 * Where a {@link FrameReader} gets the buffers it assembles split frames in. `@hearth/net` plugs a
 * pool of power-of-two buffers in here; the default allocates and lets the GC reclaim.
 */
export interface ByteAllocator {
  /** A buffer of at least `minBytes` bytes (its contents are unspecified). */
  alloc(minBytes: number): Uint8Array;
  /** Gives a buffer from {@link ByteAllocator.alloc} back; the caller does not touch it again. */
  release(buf: Uint8Array): void;
}

/** The default allocator: plain allocations, nothing pooled. */
export const heapAllocator: ByteAllocator = {
  alloc: (minBytes) => new Uint8Array(minBytes),
  release: () => {},
};
