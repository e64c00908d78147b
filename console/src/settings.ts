// Settings the gateway puts into index.html as meta tags (no data, no token needed).
function meta(name: string): string | null {
  return document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? null;
}

export const serverZone = (): string => meta('aeo-timezone') ?? 'UTC';
export const isSandbox = (): boolean => meta('aeo-sandbox') === 'true';
