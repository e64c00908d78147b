// 统一社会信用代码 (Unified Social Credit Code), GB 32100-2015: 18 characters from a 31-character
// alphabet (no I, O, S, V, Z); the 18th is a check character over the first 17 (weights 3^i mod 31).
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const SHAPE = /^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

/** The check character for the first 17 characters, or null when one is outside the alphabet. */
export function usccCheckCharacter(first17: string): string | null {
  if (first17.length !== 17) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = ALPHABET.indexOf(first17[i]!);
    if (value < 0) return null;
    sum += value * WEIGHTS[i]!;
  }
  return ALPHABET[(31 - (sum % 31)) % 31]!;
}

/** Why a USCC is refused, or null when it is valid. */
export function usccProblem(uscc: string): string | null {
  if (uscc.length !== 18) return 'must be 18 characters';
  if (!SHAPE.test(uscc)) return 'has a character outside GB 32100-2015 (digits and upper-case letters except I, O, S, V, Z; characters 3–8 digits)';
  if (usccCheckCharacter(uscc.slice(0, 17)) !== uscc[17]) return 'has a wrong check character (GB 32100-2015)';
  return null;
}
