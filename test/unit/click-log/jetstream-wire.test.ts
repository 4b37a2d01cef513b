import { describe, expect, it } from 'vitest';
import { ClickSubjects, partitionOf } from '../../../src/adapters/nats/click-subjects.js';
import { streamSequenceOf } from '../../../src/adapters/nats/jetstream-click-log-consumer.js';
import { decodeRawClick, encodeRawClick } from '../../../src/adapters/nats/raw-click-codec.js';
import { rawClick } from '../../fixtures/raw-click.js';

describe('JetStream click subjects', () => {
  it('puts a workspace on one partition, the same in every process and release', () => {
    // Fixed values: a change of the hash would move workspaces between partitions.
    expect(partitionOf('', 16)).toBe(0x811c9dc5 % 16);
    expect(partitionOf('a', 1024)).toBe(0xe40c292c % 1024);
    expect(new ClickSubjects('clickwire.clicks', 16).of('a')).toBe(`clickwire.clicks.${0xe40c292c % 16}`);
    expect(new ClickSubjects('clickwire.clicks', 16).all).toBe('clickwire.clicks.*');
  });

  it('spreads workspaces over the partitions', () => {
    const used = new Set(Array.from({ length: 1000 }, (_, i) => partitionOf(`ws_${i}`, 16)));
    expect(used.size).toBe(16);
  });

  it('refuses a prefix that is not a plain subject', () => {
    expect(() => new ClickSubjects('clicks.>', 16)).toThrow();
    expect(() => new ClickSubjects('clicks', 0)).toThrow();
  });
});

describe('JetStream ack subjects', () => {
  it('reads the stream sequence from both ack subject formats', () => {
    expect(streamSequenceOf('$JS.ACK.CLICKS.processor.1.4711.17.1732700000000000000.3')).toBe(4711);
    expect(streamSequenceOf('$JS.ACK._.ACCHASH.CLICKS.processor.2.4711.18.1732700000000000000.3.xyz')).toBe(
      4711,
    );
    expect(() => streamSequenceOf('_INBOX.abc')).toThrow();
  });
});

describe('raw click message bodies', () => {
  it('round-trips a click, optional fields included', () => {
    const click = rawClick({ simulated: true, headers: { 'user-agent': 'ü\u0000😀' }, ipHash: null });
    expect(decodeRawClick(encodeRawClick(click))).toEqual(click);
    expect(decodeRawClick(encodeRawClick(rawClick()))).not.toHaveProperty('simulated');
  });

  it('reads anything that is not a click as null', () => {
    const bytes = (text: string) => new TextEncoder().encode(text);
    expect(decodeRawClick(bytes('not json'))).toBeNull();
    expect(decodeRawClick(bytes('null'))).toBeNull();
    expect(decodeRawClick(bytes('{"clickId":"clk_1"}'))).toBeNull();
  });
});
