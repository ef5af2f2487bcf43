/**
 * `text` as one sentence: trimmed, with a full stop unless it already ends in `.`, `!`, `?` or
 * `:` (rule text and messages come with or without one; joining them must not print `..`).
 */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  return /[.!?:]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** Sentences joined with one space, empty ones left out. */
export function sentences(...texts: readonly string[]): string {
  return texts.map(sentence).filter((t) => t !== '').join(' ');
}
