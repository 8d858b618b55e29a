//! Typed row ids, so a task id can never be passed where a project id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    };
}

id_type!(
    /// The id of a registered project.
    ProjectId
);
id_type!(
    /// The id of a task; only meaningful together with its project.
    TaskId
);
id_type!(
    /// The id of a session; only meaningful together with its project.
    SessionId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_serialize_as_plain_numbers_and_parse_from_urls() {
        assert_eq!(serde_json::to_string(&TaskId(7)).unwrap(), "7");
        assert_eq!("42".parse::<ProjectId>().unwrap(), ProjectId(42));
        assert!("4x".parse::<ProjectId>().is_err());
    }
}
