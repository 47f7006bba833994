// The shapes the store exchanges with the rest of the program: batch rows, the batch builder, the acknowledgements
// that ride on a commit, and what one piece commits.
import type { EntryCounts } from '../entries/counts.js';
import type { Sending } from './meta.js';
import type { Slab } from './slab.js';

export interface BatchRow { id: number; lo: number; hi: number; key: string; body: Buffer; event_count: number; attempts: number }

/** Makes a batch's object name and gzip body from its records (in parts, in order), once. */
export type BatchBuilder = (parts: Slab[]) => { key: string; body: Buffer; refused?: Buffer[] };

/** Why a record that is not valid JSON never reaches a backend (it would make its whole batch unreadable). */
export const NOT_JSON = 'record is not valid JSON (a non-finite number?); left out of its batch';

/**
 * Acknowledgements waiting to be recorded (ship/ack-group.ts): they ride on the next commit of events, so that one
 * transaction (one sync to disk) carries both. `settled` says whether that transaction committed.
 */
export interface AckRider {
  take(): { rows: BatchRow[]; sending?: Sending } | undefined;
  settled(ok: boolean): void;
}

/** What one piece commits at once: its events, its counts, and where the source now stands. No view of
 *  `records` is kept: their memory may be reused once `commitPiece` returns. */
export interface PieceCommit {
  scope: string;
  records?: Slab;
  dropped: number;
  counts: EntryCounts;
  /** `marks`: JSON of the file's marks for this offset (source/marks.ts), or undefined to leave them as they are. */
  checkpoint?: { fileId: number; offset: number; size: number; marks?: string };
  extra?: Record<string, number>;
}
