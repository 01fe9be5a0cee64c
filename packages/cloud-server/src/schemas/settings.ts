import { Type } from '@sinclair/typebox';

/** Settings keys are free text (the route percent-decodes them), bounded in length. */
const SettingKey = Type.String({ minLength: 1, maxLength: 256 });
const SettingValue = Type.Record(Type.String(), Type.Unknown(), { description: 'Any JSON object.' });

const Setting = Type.Object({
  tenantId: Type.String(),
  userId: Type.Union([Type.String(), Type.Null()]),
  key: Type.String(),
  value: SettingValue,
  updatedAt: Type.String({ format: 'date-time' }),
});

export const SettingParams = Type.Object({ key: SettingKey });
/** `scope=tenant` reads or writes the tenant-wide value (writing needs an org admin). */
export const SettingScopeQuery = Type.Object({ scope: Type.Optional(Type.Union([Type.Literal('user'), Type.Literal('tenant')])) });
export const SettingWriteBody = Type.Object({ value: SettingValue });
export const SettingCreateBody = Type.Object({ key: SettingKey, value: SettingValue });

export const SettingListResponse = Type.Object({ settings: Type.Array(Setting) });
export const SettingResponse = Type.Object({ setting: Setting });
export const SettingMaybeResponse = Type.Object({ setting: Type.Union([Setting, Type.Null()]) });
export const SettingDeleteResponse = Type.Object({ deleted: Type.Boolean() });
