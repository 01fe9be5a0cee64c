import { Type } from '@sinclair/typebox';

/** TypeBox schemas of the BYOK routes. */

/** Built-in provider ids, or custom ones: lowercase, digits, `_` and `-`. */
export const ProviderParams = Type.Object({ providerId: Type.String({ pattern: '^[a-z][a-z0-9_-]{1,63}$' }) });

/** No provider key is shorter; also stops a number (which the validator coerces to a string) from passing as one. */
const SecretValue = Type.String({ minLength: 8, maxLength: 8192 });

/** Exactly one field must be given; the route checks that (the schema cannot say "one of five"). */
export const SetSecretBody = Type.Object(
  {
    plaintext: Type.Optional(SecretValue),
    apiKey: Type.Optional(SecretValue),
    key: Type.Optional(SecretValue),
    secret: Type.Optional(SecretValue),
    kmsRef: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
  },
  { additionalProperties: false },
);

export const OverrideBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 1000, pattern: '\\S' }) });

const ByokSecretMetadataSchema = Type.Object({
  secretId: Type.String(),
  providerId: Type.String(),
  status: Type.Union(
    ['pending_validation', 'active', 'disabled', 'expired', 'invalid', 'unsupported'].map((status) => Type.Literal(status)),
  ),
  credentialKind: Type.Optional(Type.Union([Type.Literal('plaintext'), Type.Literal('kms_ref')])),
  last4: Type.Union([Type.String(), Type.Null()]),
  keyFingerprint: Type.Union([Type.String(), Type.Null()]),
  lastValidatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  validationError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

const Nullable = Type.Union([ByokSecretMetadataSchema, Type.Null()]);

export const SecretListResponse = Type.Object({ secrets: Type.Array(ByokSecretMetadataSchema) });
export const SecretResponse = Type.Object({ secret: Nullable });
export const SetSecretResponse = Type.Object({ secret: ByokSecretMetadataSchema });
export const ValidateResponse = Type.Object({ secret: ByokSecretMetadataSchema, validated: Type.Boolean() });
export const OverrideResponse = Type.Object({ secret: ByokSecretMetadataSchema, overridden: Type.Boolean() });
export const DisableResponse = Type.Object({ secret: Nullable, disabled: Type.Boolean() });
