import {
  DEFAULT_PRIVACY_OPTIONS,
  type PrivacyOptions,
  privacyModeLabel,
  privacyModeOf,
} from './privacy-settings.js';

/** The privacy options the edge applies to a workspace's clicks, with the label its clicks carry. */
export interface CapturePrivacy {
  readonly options: PrivacyOptions;
  readonly modeLabel: string;
}

export function capturePrivacyOf(options: PrivacyOptions): CapturePrivacy {
  return { options, modeLabel: privacyModeLabel(privacyModeOf(options)) };
}

export const DEFAULT_CAPTURE_PRIVACY: CapturePrivacy = capturePrivacyOf(DEFAULT_PRIVACY_OPTIONS);
