// File checkpoints: one record per file identity (head hash, device + inode), with the offset read up to and the
// marks that prove a file found later holds the same bytes.
import type { Database as Db, Statement } from 'better-sqlite3';
import { SQL } from './sql.js';

export interface FileRecord {
  id: number; path: string; dev: string; ino: string; head_len: number; head_hash: string; offset: number; size: number;
  updated_ms: number;
  /** The first bytes (up to 1 KiB; null for records of older versions). */
  head: Buffer | null;
  /** JSON of the marks up to `offset` (see source/marks.ts). */
  marks: string;
  /** The compressed size of the gzip file this record was read from to its end; null for other files. */
  gz?: number | null;
  /** When the file was first seen: the time its entries without one are given (null in records of older versions). */
  first_seen_ms: number | null;
}

type Key = 'filesWithHead' | 'filesByInode' | 'shortFiles' | 'shortFilesWithoutHead' | 'filesWithHeadPrefix' | 'filesWithShortHeadPrefix' | 'allFiles' | 'insertFile' | 'updateFile' | 'updateHead' | 'gzipRead' | 'pruneFiles' | 'checkpoint';

export class FileRecords {
  private readonly s: Record<Key, Statement>;

  constructor(db: Db, private readonly now: () => number) {
    const keys: Key[] = ['filesWithHead', 'filesByInode', 'shortFiles', 'shortFilesWithoutHead', 'filesWithHeadPrefix', 'filesWithShortHeadPrefix', 'allFiles', 'insertFile', 'updateFile', 'updateHead', 'gzipRead', 'pruneFiles', 'checkpoint'];
    this.s = Object.fromEntries(keys.map((k) => [k, db.prepare(SQL[k])])) as Record<Key, Statement>;
  }

  filesWithHead(hash: string): FileRecord[] {
    return this.s.filesWithHead.all(hash) as FileRecord[];
  }

  filesByInode(dev: string, ino: string): FileRecord[] {
    return this.s.filesByInode.all(dev, ino) as FileRecord[];
  }

  /**
   * Records whose head is shorter than `full` but at least `min` bytes and is where `head` (a file's first bytes)
   * begins; records of older versions (no head bytes) of those lengths, for the caller to check by hash.
   */
  shortFiles(full: number, min: number, head: Buffer): FileRecord[] {
    return [...this.s.shortFiles.all({ full, min, head }), ...this.s.shortFilesWithoutHead.all({ full, min, head })] as FileRecord[];
  }

  /** Records whose first bytes are longer than `bytes` and begin with them (a file still being copied from one). */
  filesWithHeadPrefix(bytes: Buffer): FileRecord[] {
    // At least 64 bytes: found through the index of heads' first 64 bytes; shorter (a file just begun): a scan.
    return (bytes.length >= 64 ? this.s.filesWithHeadPrefix : this.s.filesWithShortHeadPrefix).all({ bytes }) as FileRecord[];
  }

  allFiles(): FileRecord[] {
    return this.s.allFiles.all() as FileRecord[];
  }

  insertFile(f: Omit<FileRecord, 'id' | 'updated_ms'>): number {
    const r = this.s.insertFile.run(f.path, f.dev, f.ino, f.head_len, f.head_hash, f.head, f.offset, f.size, f.marks, this.now(), f.first_seen_ms);
    return Number(r.lastInsertRowid);
  }

  updateFile(f: Omit<FileRecord, 'updated_ms'>): void {
    this.s.updateFile.run(f.path, f.dev, f.ino, f.head_len, f.head_hash, f.head, f.offset, f.size, f.marks, this.now(), f.first_seen_ms, f.id);
  }

  /** The offset read up to; `marks` (JSON) when they were made for it, else they stay as they were. */
  checkpoint(id: number, offset: number, size: number, marks?: string): void {
    this.s.checkpoint.run(offset, size, marks ?? null, this.now(), id);
  }

  /** A file's identity grew (it was shorter than 1 KiB); its checkpoint stays as committed. */
  updateHead(id: number, len: number, hash: string, head: Buffer): void {
    this.s.updateHead.run(len, hash, head, id);
  }

  /** The record was read to the end of a gzip file: it now names that file, known by its compressed size. */
  gzipRead(id: number, f: { path: string; dev: string; ino: string; size: number }): void {
    this.s.gzipRead.run(f.path, f.dev, f.ino, f.size, this.now(), id);
  }

  /** Forgets checkpoints of files not seen for `olderThanMs`, except those in use. */
  pruneFiles(olderThanMs: number, inUse: number[]): void {
    this.s.pruneFiles.run(this.now() - olderThanMs, JSON.stringify(inUse));
  }
}
