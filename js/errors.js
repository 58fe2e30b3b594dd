// Errors cross the worker boundary as plain fields and are rebuilt as the same `UploadError` on the page.
export const errorFields = (error) => ({
  name: error?.name ?? 'Error',
  message: error?.message ?? String(error),
  code: error?.code,
  requestId: error?.requestId,
  status: error?.status,
});

export function uploadError({ name, message, ...fields }) {
  const defined = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  return Object.assign(new Error(message), { name, ...defined });
}
