//! Part planning: how a file of `size` bytes is cut into S3 multipart parts.

pub const MIB: u64 = 1024 * 1024;
/// S3's smallest part (all but the last part).
pub const MIN_PART_SIZE: u64 = 5 * MIB;
/// S3's largest part.
pub const MAX_PART_SIZE: u64 = 5 * 1024 * MIB;
/// S3 rejects part number 10,001.
pub const MAX_PARTS: u64 = 10_000;
/// The largest object multipart can build: 10,000 parts of 5 GiB (48.8 TiB).
pub const MAX_OBJECT_SIZE: u64 = MAX_PARTS * MAX_PART_SIZE;

/// One part: 1-based number and its byte range in the file. Offsets are u64: wasm32's usize is 32 bits and files exceed 4 GiB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Part {
    pub number: u32,
    pub offset: u64,
    pub len: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartPlan {
    pub size: u64,
    pub part_size: u64,
    /// The smallest part the store accepts (S3: 5 MiB).
    pub min_part_size: u64,
}

#[derive(Debug, PartialEq, Eq)]
pub enum PlanError {
    TooLarge { size: u64 },
    PartSizeTooLarge { requested: u64 },
}

impl PartPlan {
    /// `max(5 MiB, ceil(size / 10,000))`, or `requested` when that is larger: never more than 10,000 parts.
    pub fn new(size: u64, requested: Option<u64>) -> Result<Self, PlanError> {
        Self::with_min_part_size(size, requested, MIN_PART_SIZE)
    }

    /// As [`PartPlan::new`] for a store whose smallest part is `min_part_size` (some accept less than S3's 5 MiB).
    pub fn with_min_part_size(size: u64, requested: Option<u64>, min_part_size: u64) -> Result<Self, PlanError> {
        if size > MAX_OBJECT_SIZE {
            return Err(PlanError::TooLarge { size });
        }
        let needed = min_part_size.max(1).max(size.div_ceil(MAX_PARTS));
        let part_size = requested.map_or(needed, |r| r.max(needed));
        if part_size > MAX_PART_SIZE {
            return Err(PlanError::PartSizeTooLarge { requested: part_size });
        }
        Ok(Self { size, part_size, min_part_size })
    }

    /// The plan of an unfinished upload of this file started with `part_size` (an upload keeps its part size: every
    /// part but the last has it); `None` when no plan of this file can have that part size.
    pub fn continuing(&self, part_size: u64) -> Option<Self> {
        let plan = Self::with_min_part_size(self.size, Some(part_size), self.min_part_size).ok()?;
        (plan.part_size == part_size).then_some(plan)
    }

    /// An empty file has no parts (it is sent with PutObject).
    pub fn count(&self) -> u32 {
        self.size.div_ceil(self.part_size) as u32
    }

    pub fn part(&self, number: u32) -> Part {
        let offset = u64::from(number - 1) * self.part_size;
        Part { number, offset, len: self.part_size.min(self.size - offset) }
    }

    pub fn parts(&self) -> impl Iterator<Item = Part> + '_ {
        (1..=self.count()).map(|n| self.part(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unfinished_upload_continues_with_its_part_size_when_this_file_allows_it() {
        let plan = PartPlan::new(20 * MIB, None).unwrap();
        assert_eq!(plan.continuing(8 * MIB).map(|p| (p.part_size, p.count())), Some((8 * MIB, 3)));
        assert_eq!(plan.continuing(MIB), None, "below the store's minimum part size");
        let huge = PartPlan::new(100 * 1024 * MIB, None).unwrap();
        assert_eq!(huge.continuing(5 * MIB), None, "would need more than 10,000 parts");
    }

    #[test]
    fn small_file_uses_minimum_part_size() {
        let plan = PartPlan::new(12 * MIB + 7, None).unwrap();
        assert_eq!(plan.part_size, MIN_PART_SIZE);
        assert_eq!(plan.count(), 3);
        assert_eq!(plan.part(3), Part { number: 3, offset: 10 * MIB, len: 2 * MIB + 7 });
    }

    #[test]
    fn parts_cover_the_file_exactly_once() {
        for size in [1, MIN_PART_SIZE - 1, MIN_PART_SIZE, MIN_PART_SIZE + 1, 64 * MIB, 64 * MIB + 12_345] {
            let plan = PartPlan::new(size, Some(8 * MIB)).unwrap();
            let mut next = 0;
            for part in plan.parts() {
                assert_eq!(part.offset, next);
                assert!(part.len > 0 && part.len <= plan.part_size);
                next += part.len;
            }
            assert_eq!(next, size);
        }
    }

    #[test]
    fn empty_file_has_no_parts() {
        assert_eq!(PartPlan::new(0, None).unwrap().parts().count(), 0);
    }

    #[test]
    fn huge_files_stay_within_ten_thousand_parts() {
        let hundred_gib = 100 * 1024 * MIB;
        let plan = PartPlan::new(hundred_gib, None).unwrap();
        assert_eq!(plan.part_size, hundred_gib.div_ceil(MAX_PARTS));
        assert_eq!(plan.count(), 10_000);
        let plan = PartPlan::new(MAX_OBJECT_SIZE, None).unwrap();
        assert_eq!(plan.count(), 10_000);
        assert_eq!(plan.part(10_000).offset + plan.part(10_000).len, MAX_OBJECT_SIZE);
        // A requested size too small for 10,000 parts is raised; offsets past 4 GiB are exact.
        let plan = PartPlan::new(200 * 1024 * MIB + 1, Some(5 * MIB)).unwrap();
        assert!(plan.count() <= 10_000);
        assert!(plan.part(plan.count()).offset > u64::from(u32::MAX));
    }

    #[test]
    fn a_store_that_allows_small_parts_gets_them_within_ten_thousand() {
        let plan = PartPlan::with_min_part_size(2_100 * 64 * 1024, Some(64 * 1024), 64 * 1024).unwrap();
        assert_eq!((plan.part_size, plan.count()), (64 * 1024, 2_100));
        let plan = PartPlan::with_min_part_size(10 * 1024 * MIB, Some(1), 1).unwrap();
        assert!(plan.count() <= 10_000);
    }

    #[test]
    fn rejects_what_s3_cannot_hold() {
        assert_eq!(PartPlan::new(MAX_OBJECT_SIZE + 1, None), Err(PlanError::TooLarge { size: MAX_OBJECT_SIZE + 1 }));
        assert!(matches!(PartPlan::new(10, Some(MAX_PART_SIZE + 1)), Err(PlanError::PartSizeTooLarge { .. })));
    }
}
