/** Alation's provider settings: declared once, used by the registration and by the client's messages. */
import type { SettingsSpec } from "../framework/vendor";

export const ALATION_SETTINGS = {
  endpoint: { config: "warehouse:alationEndpoint", env: "ALATION_ENDPOINT", required: true, secret: false, doc: "Base URL of the Alation instance (https://alation.yourcompany.com, or the emulator)." },
  refreshToken: {
    config: "warehouse:alationRefreshToken",
    env: "ALATION_REFRESH_TOKEN",
    required: false,
    secret: true,
    doc: "A refresh token (Alation → Account settings → Authentication; lives 60 days by default). With warehouse:alationUserId the provider mints API access tokens from it and renews them before they expire. Set it as a secret.",
  },
  userId: { config: "warehouse:alationUserId", env: "ALATION_USER_ID", required: false, secret: false, doc: "The numeric id of the user the refresh token belongs to." },
  accessToken: {
    config: "warehouse:alationAccessToken",
    env: "ALATION_ACCESS_TOKEN",
    required: false,
    secret: true,
    doc: "An API access token, used as is (it expires after 24 h by default; prefer a refresh token). Set it as a secret. Either this or warehouse:alationRefreshToken with warehouse:alationUserId is needed.",
  },
} as const satisfies SettingsSpec;
