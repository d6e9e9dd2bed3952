// The strings tables: one per language, the same keys in each.
import { en } from './en.js';
import { zh } from './zh.js';

export type StringKey = keyof typeof en;
export type Strings = Readonly<Record<StringKey, string>>;
export type Language = 'en' | 'zh';

export const LANGUAGES: readonly Language[] = ['en', 'zh'];

export function stringsFor(language: Language): Strings {
  return language === 'zh' ? zh : en;
}
