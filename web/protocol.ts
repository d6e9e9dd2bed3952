// The messages between the page (app.ts) and the worker that runs convgrad's core (worker.ts).
import type { Diagnostic, Detail, Language, NetworkResultDocument, ResultDocument } from '../src/index.js';

export interface DeriveRequest {
  readonly kind: 'derive';
  readonly id: number;
  /** The problem file's text, as the command line reads it. */
  readonly source: string;
  readonly language: Language;
  readonly detail: Detail;
  /** Numbers in the document as decimals (repeating ones marked) instead of fractions. */
  readonly decimals: boolean;
}

export interface ExportRequest {
  readonly kind: 'export';
  readonly id: number;
  readonly source: string;
  readonly language: Language;
  readonly detail: Detail;
  readonly format: 'tex' | 'md';
}

export interface CurveRequest {
  readonly kind: 'curve';
  readonly id: number;
  readonly source: string;
  readonly steps: number;
}

export type Request = DeriveRequest | ExportRequest | CurveRequest;

export type DeriveReply =
  | {
      readonly kind: 'derive';
      readonly id: number;
      readonly ok: true;
      /**
       * The document's <main> as renderHtml writes it; absent when the worker sent it in parts (a
       * PartReply each, in order) as it rendered them.
       */
      readonly main?: string;
      /** The document's title (the page's too). */
      readonly title: string;
      /** KaTeX's stylesheet and convgrad's, sent with the first document only. */
      readonly styles?: readonly string[];
      /** The single layer's result document, or a network's (problem-format.md). */
      readonly result: ResultDocument | NetworkResultDocument;
      /** Milliseconds the worker took: parse, solve, derive, render. */
      readonly ms: number;
    }
  | { readonly kind: 'derive'; readonly id: number; readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export type ExportReply = { readonly kind: 'export'; readonly id: number; readonly ok: true; readonly text: string } | { readonly kind: 'export'; readonly id: number; readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export type CurveReply = { readonly kind: 'curve'; readonly id: number; readonly ok: true; readonly losses: readonly number[] } | { readonly kind: 'curve'; readonly id: number; readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** A part of a document's <main> (renderHtmlMainParts), sent before the DeriveReply that ends it. */
export interface PartReply {
  readonly kind: 'part';
  readonly id: number;
  readonly text: string;
}

export type Reply = DeriveReply | ExportReply | CurveReply;
