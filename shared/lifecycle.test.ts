import { describe, expect, it } from 'vitest';
import { DisposableObject, DisposableStore, Emitter, toDisposable } from './lifecycle';

describe('DisposableStore', () => {
  it('disposes in reverse order, once', () => {
    const order: number[] = [];
    const store = new DisposableStore();
    store.add(toDisposable(() => order.push(1)));
    store.add(toDisposable(() => order.push(2)));
    store.dispose();
    store.dispose();
    expect(order).toEqual([2, 1]);
  });

  it('disposes at once what is added after it was disposed', () => {
    const store = new DisposableStore();
    store.dispose();
    let disposed = false;
    store.add(toDisposable(() => (disposed = true)));
    expect(disposed).toBe(true);
  });

  it('disposes everything even when one throws, then reports it', () => {
    const store = new DisposableStore();
    let second = false;
    store.add(toDisposable(() => (second = true)));
    store.add(
      toDisposable(() => {
        throw new Error('boom');
      }),
    );
    expect(() => store.dispose()).toThrow('boom');
    expect(second).toBe(true);
  });
});

describe('Emitter and DisposableObject', () => {
  it('a subscription registered on an owner ends when the owner is disposed', () => {
    const emitter = new Emitter<number>();
    const seen: number[] = [];
    class Owner extends DisposableObject {
      constructor() {
        super();
        this.register(emitter.event((value) => seen.push(value)));
      }
    }
    const owner = new Owner();
    emitter.fire(1);
    owner.dispose();
    emitter.fire(2);
    expect(seen).toEqual([1]);
    expect(emitter.listenerCount).toBe(0);
  });
});
