/**
 * Local text for an input whose truth is elsewhere (the URL): typing changes
 * the local text at once, and a new outside value (back button, a link)
 * replaces it — adjusted during render, as React recommends, not in an effect.
 */
import { useState } from 'react';

export function useSyncedText(value: string): [string, (v: string) => void] {
  const [text, setText] = useState(value);
  const [seen, setSeen] = useState(value);
  if (value !== seen) {
    setSeen(value);
    setText(value);
  }
  return [text, setText];
}
