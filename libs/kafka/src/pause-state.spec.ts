import { PauseState } from './pause-state.js';

describe('PauseState', () => {
  it('pauses and resumes single partitions while the topic runs', () => {
    const state = new PauseState();
    expect(state.hold(2)).toEqual([{ op: 'pause', partitions: [2] }]);
    expect(state.hold(2)).toEqual([]);
    expect(state.blocks(2)).toBe(true);
    expect(state.blocks(1)).toBe(false);
    expect(state.release(2)).toEqual([{ op: 'resume', partitions: [2] }]);
    expect(state.release(2)).toEqual([]);
    expect(state.blocks(2)).toBe(false);
  });

  it('never lets a released partition through a topic-wide pause', () => {
    const state = new PauseState();
    expect(state.pauseTopic()).toEqual([{ op: 'pause' }]);
    expect(state.pauseTopic()).toEqual([]);
    expect(state.hold(1)).toEqual([]);
    expect(state.release(1)).toEqual([]); // a kafkajs resume here would un-pause partition 1
    expect(state.blocks(0)).toBe(true);
    expect(state.paused).toBe(true);
  });

  it('keeps partitions still held when the topic resumes', () => {
    const state = new PauseState();
    state.hold(3);
    state.hold(0);
    state.pauseTopic();
    expect(state.resumeTopic()).toEqual([{ op: 'resume' }, { op: 'pause', partitions: [0, 3] }]);
    expect(state.resumeTopic()).toEqual([]);
    expect(state.blocks(3)).toBe(true);
    expect(state.blocks(1)).toBe(false);
  });

  it('states the pauses that restore it', () => {
    const state = new PauseState();
    expect(state.current()).toEqual([]);
    state.hold(5);
    state.hold(1);
    expect(state.current()).toEqual([{ op: 'pause', partitions: [1, 5] }]);
    state.pauseTopic();
    expect(state.current()).toEqual([{ op: 'pause' }]);
  });
});
