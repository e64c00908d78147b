import { describe, expect, it } from 'vitest';
import { reconnectDelay } from './pg-listener.js';

describe('listener reconnect backoff', () => {
  it('starts at 50 ms, doubles, and is capped at 5 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 20].map(reconnectDelay)).toEqual([50, 100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
  });
});
