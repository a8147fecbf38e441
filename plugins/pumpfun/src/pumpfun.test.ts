import { describe, expect, it } from 'vitest';
import { mintOf } from './api';
import { chatMessageOf, socketIoUrl } from './chat';
import { MINT } from './config';

describe('mintOf', () => {
  it('finds the coin mint in a pump.fun address or takes a bare one', () => {
    const mint = '7GCihgDB8fe6KNjn2MYtkzZcRjQy3t9GHdC8uHYmW2hr';
    expect(mintOf(`https://pump.fun/coin/${mint}`, MINT)).toBe(mint);
    expect(mintOf(`https://pump.fun/${mint}?ref=x`, MINT)).toBe(mint);
    expect(mintOf(mint, MINT)).toBe(mint);
    expect(mintOf('https://pump.fun/board', MINT)).toBeUndefined();
    expect(mintOf('not a url', MINT)).toBeUndefined();
  });
});

describe('pump.fun chat', () => {
  it('speaks socket.io over a WebSocket', () => {
    expect(socketIoUrl('wss://livechat.pump.fun')).toBe('wss://livechat.pump.fun/socket.io/?EIO=4&transport=websocket');
    expect(socketIoUrl('ws://127.0.0.1:9000')).toBe('ws://127.0.0.1:9000/socket.io/?EIO=4&transport=websocket');
  });

  it('keeps messages with text, their author, and the payload', () => {
    expect(chatMessageOf({ username: 'ada', message: 'gm', userAddress: 'x' }, 5)).toEqual({ author: 'ada', text: 'gm', at: 5, raw: { username: 'ada', message: 'gm', userAddress: 'x' } });
    expect(chatMessageOf({ userAddress: 'wallet', message: 'hi' }, 5)).toMatchObject({ author: 'wallet' });
    expect(chatMessageOf({ message: '  ' }, 5)).toBeUndefined();
    expect(chatMessageOf('text', 5)).toBeUndefined();
  });
});
