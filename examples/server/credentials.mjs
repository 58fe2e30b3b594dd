// Temporary credentials from STS AssumeRole, scoped down by a session policy.
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

/**
 * `assume({ policy, sessionName })` → { accessKeyId, secretAccessKey, sessionToken, expiration (ISO 8601) }.
 * `credentials`: the server's own long-lived identity; omitted, the AWS SDK's default chain is used
 * (AWS_ACCESS_KEY_ID…, ~/.aws, an instance or task role). `endpoint`: STS endpoint (moto, LocalStack…).
 */
export function roleAssumer({ roleArn, region, endpoint, credentials, durationSeconds }) {
  const sts = new STSClient({ region, endpoint, credentials });
  return {
    async assume({ policy, sessionName }) {
      const { Credentials: c } = await sts.send(new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: sessionName, // shows up in CloudTrail next to every request made with the result
        DurationSeconds: durationSeconds,
        Policy: JSON.stringify(policy),
      }));
      return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration.toISOString() };
    },
    destroy: () => sts.destroy(),
  };
}

/**
 * Caches what `fetch()` returns until shortly before its `expiration`: 5 minutes before, or halfway through
 * when it lives less than 10 minutes. A failed fetch is not cached.
 */
export function cachedUntilExpiry(fetch, now = Date.now) {
  let current; // { promise, refreshAt }
  return () => {
    if (!current || now() >= current.refreshAt) {
      const fetchedAt = now();
      const entry = { refreshAt: Infinity };
      entry.promise = fetch().then((value) => {
        const lifetime = Date.parse(value.expiration) - fetchedAt;
        entry.refreshAt = fetchedAt + lifetime - Math.min(5 * 60_000, lifetime / 2);
        return value;
      });
      entry.promise.catch(() => { if (current === entry) current = undefined; });
      current = entry;
    }
    return current.promise;
  };
}
