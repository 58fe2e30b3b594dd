// Errors cross the worker boundary as plain fields and are rebuilt as the same `UploadError` on the page.
export const errorFields = (error) => ({
  name: error?.name ?? 'Error',
  message: error?.message ?? String(error),
  code: error?.code,
});

export function uploadError({ name, message, code }) {
  return Object.assign(new Error(message), { name, ...(code === undefined ? {} : { code }) });
}
