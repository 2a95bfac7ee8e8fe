// Hash routes (#/bots/…): the gateway serves one index.html, and links work without a server
// fallback.
import { useEffect, useState } from 'react';

export function useRoute(): string[] {
  const read = () =>
    window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [parts, setParts] = useState(read);
  useEffect(() => {
    const onChange = () => setParts(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return parts;
}

export function go(path: string): void {
  window.location.hash = path;
}

export const href = (path: string) => `#${path}`;
