// Declared-code normalisation and parsing (pure).

const LEGACY_REMARKS = /^AEO<(.*)>$/;

/** Trim, upper-case, drop spaces and `-`, unwrap the legacy remarks form `AEO<NZ1234>`. */
export function normaliseCode(input: string): string {
  const compact = input.toUpperCase().replace(/[\s-]+/g, '');
  const legacy = LEGACY_REMARKS.exec(compact);
  return legacy ? (legacy[1] ?? '') : compact;
}
