// What the signed-in token may do, from the scopes /admin/whoami reports (contract section 2).
// The console offers only these actions; the API refuses the rest anyway.

export type Action = 'read' | 'operate' | 'admin' | 'download';

export function can(scopes: readonly string[], action: Action): boolean {
  if (scopes.includes('admin')) return true;
  const operator = scopes.includes('operator');
  switch (action) {
    case 'read':
      return operator || scopes.includes('viewer');
    case 'operate':
    case 'download':
      return operator;
    case 'admin':
      return false;
  }
}
