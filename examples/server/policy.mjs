// The session policy passed to STS AssumeRole: the temporary credentials can do no more than this, whatever
// the role itself allows (the effective permissions are the intersection of the two).

/**
 * Multipart uploads under `arn:aws:s3:::BUCKET/PREFIX*` only. `listCondition` (default true) adds the
 * `s3:prefix` condition to s3:ListBucketMultipartUploads; see README.md: AWS does not list `s3:prefix` as a
 * condition key of that action, so with the condition AWS denies the listing (fails closed), and without it
 * the credentials could list every unfinished upload's key in the bucket. /sign checks the prefix itself and
 * therefore signs with listCondition: false.
 */
export function sessionPolicy({ bucket, prefix, listCondition = true }) {
  const listing = { Sid: 'FindUnfinishedUploads', Effect: 'Allow', Action: 's3:ListBucketMultipartUploads', Resource: `arn:aws:s3:::${bucket}` };
  if (listCondition) listing.Condition = { StringLike: { 's3:prefix': `${prefix}*` } };
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'UploadUnderPrefix',
        Effect: 'Allow',
        // CreateMultipartUpload, UploadPart, CompleteMultipartUpload and PutObject are all s3:PutObject;
        // HeadObject is s3:GetObject (there is no s3:HeadObject).
        Action: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts', 's3:GetObject'],
        Resource: `arn:aws:s3:::${bucket}/${prefix}*`,
      },
      listing,
    ],
  };
}
