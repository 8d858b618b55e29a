//! One spelling per enum value (issue 10): the serde name is the API, and `as_str` (what the
//! UI's controls and the README use) must say the same, for every value of every enum.

use model::runtime::Effort;
use model::{
    AgentKind, ExecutionMode, Field, PermissionPolicy, Priority, Provider, SessionStatus,
    TaskStatus,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

fn same_spelling<T>(values: &[T], as_str: fn(T) -> &'static str)
where
    T: Copy + Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    for &value in values {
        let name = as_str(value);
        assert_eq!(serde_json::to_value(value).unwrap(), name, "{value:?}");
        assert_eq!(
            serde_json::from_value::<T>(name.into()).unwrap(),
            value,
            "{name}"
        );
    }
}

#[test]
fn serde_names_are_the_as_str_names() {
    same_spelling(&Provider::ALL, Provider::as_str);
    same_spelling(&ExecutionMode::ALL, ExecutionMode::as_str);
    same_spelling(&Effort::ALL, Effort::as_str);
    same_spelling(&AgentKind::ALL, AgentKind::as_str);
    same_spelling(&PermissionPolicy::ALL, PermissionPolicy::as_str);
    same_spelling(&SessionStatus::ALL, SessionStatus::as_str);
    same_spelling(&TaskStatus::ALL, TaskStatus::as_str);
    same_spelling(&Priority::ALL, Priority::as_str);
    same_spelling(&model::ChoiceKind::ALL, model::ChoiceKind::as_str);
    same_spelling(
        &model::stream::PlanStatus::ALL,
        model::stream::PlanStatus::as_str,
    );
    same_spelling(&Field::ALL, Field::as_str);
    same_spelling(
        &model::comment::LineSide::ALL,
        model::comment::LineSide::as_str,
    );
}

#[test]
fn providers_stored_with_the_old_spelling_still_read() {
    for (old, provider) in [
        ("open_ai", Provider::OpenAi),
        ("open_ai_compatible", Provider::OpenAiCompatible),
    ] {
        assert_eq!(
            serde_json::from_value::<Provider>(old.into()).unwrap(),
            provider
        );
    }
}
