//! Gemini CLI, driven as an ACP agent (`gemini --acp`): one process per session; the prompt,
//! follow-ups, permission answers and Stop all go through its ACP conversation
//! ([`AcpConversation`](super::AcpConversation)), so the command line only picks the model and
//! the approval mode.

use super::{AgentAdapter, CommandSpec, TurnLaunch};
use model::{AgentKind, PermissionPolicy};

/// Where Gemini CLI reads a Gemini API key.
pub const GEMINI_KEY_VAR: &str = "GEMINI_API_KEY";
/// Where Gemini CLI reads a custom endpoint for the Gemini API.
pub const GEMINI_BASE_URL_VAR: &str = "GOOGLE_GEMINI_BASE_URL";

/// The Gemini CLI adapter.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gemini;

/// The `--approval-mode` of a policy; another agent's policy falls back to asking.
fn approval_mode(policy: PermissionPolicy) -> &'static str {
    match policy.for_agent(AgentKind::Gemini) {
        PermissionPolicy::GeminiAutoEdit => "autoEdit",
        PermissionPolicy::GeminiYolo => "yolo",
        PermissionPolicy::GeminiPlan => "plan",
        _ => "default",
    }
}

impl AgentAdapter for Gemini {
    /// A resumed conversation is asked for in the ACP conversation (`session/load`), not here.
    fn command(&self, launch: &TurnLaunch, _resume: Option<&str>) -> CommandSpec {
        let mut args = vec!["--acp".to_string()];
        if let Some(model) = &launch.model {
            args.extend(["--model".to_string(), model.clone()]);
        }
        args.extend([
            "--approval-mode".to_string(),
            approval_mode(launch.permission).to_string(),
        ]);
        CommandSpec::acp(
            launch.program.path.clone(),
            args,
            launch.base_url_env(GEMINI_BASE_URL_VAR),
        )
    }

    fn keeps_process(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::RuntimeSelection;

    fn launch(permission: PermissionPolicy, selection: RuntimeSelection) -> TurnLaunch {
        TurnLaunch::from_selection(&selection, permission, "gemini", "do it".into()).unwrap()
    }

    #[test]
    fn the_policy_is_the_approval_mode_and_the_prompt_stays_out_of_argv() {
        let selection = RuntimeSelection {
            agent: AgentKind::Gemini,
            ..RuntimeSelection::default()
        };
        for (policy, mode) in [
            (PermissionPolicy::GeminiDefault, "default"),
            (PermissionPolicy::GeminiAutoEdit, "autoEdit"),
            (PermissionPolicy::GeminiYolo, "yolo"),
            (PermissionPolicy::GeminiPlan, "plan"),
        ] {
            let spec = Gemini.first_turn(&launch(policy, selection.clone()));
            assert_eq!(spec.args, ["--acp", "--approval-mode", mode]);
            assert_eq!(spec.stdin, crate::agents::StdinMode::Pipe);
            assert_eq!(spec.prompt_on_stdin, None);
            assert!(!spec.args.iter().any(|a| a.contains("do it")));
        }
        assert_eq!(approval_mode(PermissionPolicy::Bypass), "default");
    }

    #[test]
    fn the_model_is_a_flag_and_the_endpoint_a_variable() {
        let selection = RuntimeSelection {
            agent: AgentKind::Gemini,
            model: Some("gemini-2.5-pro".into()),
            base_url: Some("http://127.0.0.1:9/".into()),
            ..RuntimeSelection::default()
        };
        let spec = Gemini.first_turn(&launch(PermissionPolicy::GeminiDefault, selection));
        assert_eq!(
            spec.args,
            [
                "--acp",
                "--model",
                "gemini-2.5-pro",
                "--approval-mode",
                "default"
            ]
        );
        assert_eq!(
            spec.env,
            vec![(
                GEMINI_BASE_URL_VAR.to_string(),
                "http://127.0.0.1:9/".to_string()
            )]
        );
    }
}
