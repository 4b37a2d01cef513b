import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PRIVACY_OPTIONS,
  LEGACY_PRIVACY_MODE_LABEL,
  parsePrivacyModeLabel,
  privacyModeLabel,
  privacyModeOf,
} from '../../../src/privacy/privacy-settings.js';

describe('privacy mode', () => {
  it('states the default mode as the label clicks always carried', () => {
    const mode = privacyModeOf(DEFAULT_PRIVACY_OPTIONS);
    expect(mode).toEqual({
      ip: 'prefix/24+hash-daily',
      geo: 'country+asn',
      referrer: 'host',
      language: 'primary',
      user_agent: 'raw-retention',
    });
    expect(privacyModeLabel(mode)).toBe(LEGACY_PRIVACY_MODE_LABEL);
    expect(parsePrivacyModeLabel(LEGACY_PRIVACY_MODE_LABEL)).toEqual(mode);
  });

  it('names what is off, and reads its own label back', () => {
    const options = {
      ...DEFAULT_PRIVACY_OPTIONS,
      ipHash: false,
      asn: false,
      referrer: 'off' as const,
      language: false,
      userAgent: 'until_processed' as const,
    };
    const mode = privacyModeOf(options);
    expect(mode).toEqual({
      ip: 'prefix/24',
      geo: 'country',
      referrer: 'none',
      language: 'none',
      user_agent: 'until-processed',
    });
    const label = privacyModeLabel(mode);
    expect(label).toBe('ip=prefix/24;geo=country;referrer=none;language=none;user_agent=until-processed');
    expect(parsePrivacyModeLabel(label)).toEqual(mode);
  });

  it('says none when nothing of the address is kept', () => {
    const mode = privacyModeOf({
      ...DEFAULT_PRIVACY_OPTIONS,
      ipHash: false,
      ipPrefix: false,
      country: false,
      asn: false,
    });
    expect(mode.ip).toBe('none');
    expect(mode.geo).toBe('none');
  });
});
