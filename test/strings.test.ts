// The strings tables: the same keys and slots in both languages, and Chinese as a Chinese textbook writes
// it, every sentence taking its terms from one glossary.
import { describe, expect, it } from 'vitest';
import { en } from '../src/strings/en.js';
import { GLOSSARY, zh } from '../src/strings/zh.js';

describe('the Chinese strings', () => {
  const sentences = Object.values(zh);

  it('use the glossary\'s word for each term, never a translated or variant one', () => {
    // Variants that read translated or that name the same thing twice.
    const variants: Record<string, string> = {
      步长: GLOSSARY.stride,
      膨胀: GLOSSARY.dilation,
      获胜: GLOSSARY.maxPosition,
      反向通过: '的反向传播',
      合在一起: '写成矩阵',
      偏移: '平移',
      滤波器: GLOSSARY.kernel,
      池化窗: `${GLOSSARY.pooling}${GLOSSARY.window}`,
    };
    for (const [variant, word] of Object.entries(variants)) {
      const offending = Object.entries(zh).filter(([, s]) => s.includes(variant));
      expect(offending.map(([k]) => k), `${variant} (use ${word})`).toEqual([]);
    }
  });

  it('use every term of the glossary somewhere: one glossary, all of it used', () => {
    for (const [name, word] of Object.entries(GLOSSARY)) expect(sentences.some((s) => s.includes(word)), `${name}: ${word}`).toBe(true);
  });

  it('have a Chinese sentence for every English one', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as (keyof typeof en)[]) expect(zh[key].trim(), key).not.toBe('');
  });
});
