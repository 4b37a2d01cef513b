import { describe, expect, it } from 'vitest';
import { checkSubscriberUrl } from '../../../src/webhooks/subscriber-url.js';

const strict = { allowPrivate: false };
const dev = { allowPrivate: true };

describe('subscriber URLs', () => {
  it.each([
    'https://hooks.example.com/clickwire',
    'https://hooks.example.com:8443/a?b=c',
    'https://93.184.216.34/hook',
    'https://[2606:4700::1111]/hook',
  ])('accepts %s', (url) => {
    expect(checkSubscriberUrl(url, strict)).toEqual({ ok: true, url: new URL(url).toString() });
  });

  it.each([
    ['http://hooks.example.com/', /https/],
    ['ftp://hooks.example.com/', /https/],
    ['javascript:alert(1)', /https/],
    ['hooks.example.com/x', /absolute/],
    ['https://user:pass@hooks.example.com/', /credentials/],
    ['https://hooks.example.com/#frag', /fragment/],
    ['https://localhost/', /this machine/],
    ['https://api.localhost/', /this machine/],
    ['https://127.0.0.1/', /this machine/],
    ['https://[::1]/', /this machine/],
    ['https://0x7f.1/', /this machine/],
    ['https://10.0.0.1/', /private/],
    ['https://169.254.169.254/', /metadata/],
    ['https://[fd00:ec2::254]/', /metadata/],
    ['https://[::ffff:192.168.0.1]/', /private/],
    [`https://hooks.example.com/${'a'.repeat(2048)}`, /2048/],
  ])('refuses %s', (url, reason) => {
    const check = checkSubscriberUrl(url, strict);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toMatch(reason);
  });

  it('with CLICKWIRE_WEBHOOK_ALLOW_PRIVATE, allows internal addresses and plain http to loopback only', () => {
    expect(checkSubscriberUrl('http://127.0.0.1:9000/hook', dev).ok).toBe(true);
    expect(checkSubscriberUrl('http://localhost:9000/hook', dev).ok).toBe(true);
    expect(checkSubscriberUrl('https://10.0.0.1/hook', dev).ok).toBe(true);
    expect(checkSubscriberUrl('http://10.0.0.1/hook', dev).ok).toBe(false);
    expect(checkSubscriberUrl('http://hooks.example.com/', dev).ok).toBe(false);
  });
});
