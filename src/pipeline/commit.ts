// One piece of a source's bytes → decoded entries → what fits in the buffer, committed with the new checkpoint in one transaction.
import type { EntryReader } from '../entries/reader.js';
import type { MappingOptions } from '../mapping/types.js';
import type { Store } from '../state/store.js';
import type { Admitted } from './admit.js';
import type { Admission } from './admission.js';
import { decodeWith, type Decoded } from './decode.js';

export interface CommitOptions {
  mapping: MappingOptions;
  maxEntryBytes: number;
  /** Room in the buffer: what of each piece goes in. */
  admission: Admission;
  now: () => number;
}

export interface PieceOrigin {
  /** Counter scope and the identity used for entries without an id. */
  scope: string;
  sourceId: string;
  /** The time given to entries without one (when the source was first seen); the read time when not given. */
  firstSeenMs?: number;
  /** `marks`: the file's marks (JSON) for the offset about to be committed; committed with it. */
  checkpoint?: { fileId: number; size: number; marks?: (offset: number) => string | undefined };
}

/** Where the piece left off: `checkpoint` is committed; when `blocked`, reading must restart there once there is room. */
export interface CommitResult { checkpoint: number; blocked: boolean; events: number }

/** Admits a decoded piece against the buffer's room and commits it with the source's new checkpoint. */
export function commitDecoded(store: Store, d: Decoded, src: PieceOrigin, opts: CommitOptions): CommitResult & { admitted: Admitted } {
  const a = opts.admission.piece(d);
  const blocked = a.cutAt >= 0;
  const checkpoint = blocked ? a.cutAt : d.checkpoint;
  store.commitPiece({
    scope: src.scope, records: a.records, dropped: a.dropped, counts: a.counts,
    checkpoint: src.checkpoint
      ? { fileId: src.checkpoint.fileId, offset: checkpoint, size: src.checkpoint.size, marks: src.checkpoint.marks?.(checkpoint) }
      : undefined,
  });
  return { checkpoint, blocked, events: a.records.ends.length, admitted: a };
}

/**
 * Feeds `bytes` to the reader and commits the result in one transaction. `eof`: the end of input for now
 * ('soft': an unterminated last entry is read if it parses) or for good ('final': leftovers are counted).
 */
export function decodeAndCommit(
  store: Store, reader: EntryReader, chunk: Buffer | null, src: PieceOrigin, opts: CommitOptions, eof: 'no' | 'soft' | 'final' = 'no',
): CommitResult {
  const d = decodeWith(reader, chunk, eof, { mapping: opts.mapping, maxEntryBytes: opts.maxEntryBytes, tag: true }, src.sourceId, src.firstSeenMs ?? opts.now());
  return commitDecoded(store, d, src, opts);
}
