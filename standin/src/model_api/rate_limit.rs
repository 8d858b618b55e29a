//! The providers' answers to a rate-limited account (`RATE_LIMIT_429`), with the bodies the
//! real APIs send: what DevLog must recognise, through each CLI, as a limit to wait out.

use crate::http::Response;
use serde_json::json;

/// Anthropic's 429 (`rate_limit_error`), as Claude Code reports it after its own retries.
pub fn anthropic() -> Response {
    let error = json!({
        "type": "error",
        "error": {
            "type": "rate_limit_error",
            "message": "This request would exceed the rate limit for your organization of 50,000 input tokens per minute. (devlog fake RATE_LIMIT_429)",
        },
    });
    Response::json(429, error.to_string())
}

/// OpenAI's 429 (`rate_limit_exceeded`), of both its APIs (Codex's Responses, Qwen Code's
/// Chat Completions), with the wait it asks for.
pub fn openai() -> Response {
    let error = json!({"error": {
        "message": "Rate limit reached for gpt-5 in organization org-devlog on tokens per min (TPM): Limit 30000, Used 30000, Requested 100. Please try again in 20s. (devlog fake RATE_LIMIT_429)",
        "type": "tokens",
        "param": null,
        "code": "rate_limit_exceeded",
    }});
    Response::json(429, error.to_string())
}

/// Google's 429 (`RESOURCE_EXHAUSTED`) for a spent daily free-tier quota, with the details
/// the Gemini API sends: Gemini CLI gives up on it at once ("You have exhausted your daily
/// quota on this model."), where a per-minute one it retries itself for minutes.
pub fn gemini() -> Response {
    let error = json!({"error": {
        "code": 429,
        "message": "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 250, model: gemini-2.5-pro\nPlease retry in 37.5s. (devlog fake RATE_LIMIT_429)",
        "status": "RESOURCE_EXHAUSTED",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                "violations": [{
                    "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                    "quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
                    "quotaDimensions": {"location": "global", "model": "gemini-2.5-pro"},
                    "quotaValue": "250",
                }],
            },
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "37s"},
        ],
    }});
    Response::json(429, error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::rate_limit::RateLimit;

    fn body(response: Response) -> String {
        match response {
            Response::Json { status: 429, body } => body,
            _ => panic!("expected a 429"),
        }
    }

    #[test]
    fn each_providers_answer_is_a_rate_limit_devlog_recognises() {
        for answer in [anthropic(), openai(), gemini()] {
            let text = body(answer);
            assert!(RateLimit::recognise(&text, 0).is_some(), "{text}");
        }
        // OpenAI's says how long to wait.
        let wait = RateLimit::recognise(&body(openai()), 0).and_then(|l| l.resets_at);
        assert_eq!(wait, Some(20_000));
    }

    fn request(path: &str, body: serde_json::Value) -> crate::http::Request {
        crate::http::Request {
            uri: path.parse().unwrap(),
            headers: Default::default(),
            body: body.to_string().into(),
        }
    }

    #[test]
    fn the_directive_rate_limits_every_provider() {
        let says = "do it\nRATE_LIMIT_429";
        let answers = [
            crate::anthropic::messages(&request(
                "/v1/messages",
                json!({"messages": [{"role": "user", "content": says}], "stream": true}),
            )),
            crate::openai::responses(&request(
                "/v1/responses",
                json!({"input": [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": says}]}]}),
            )),
            crate::chat::completions(&request(
                "/v1/chat/completions",
                json!({"messages": [{"role": "user", "content": says}], "stream": true}),
            )),
            crate::gemini::models(&request(
                "/v1beta/models/gemini-2.5-flash:streamGenerateContent?key=k",
                json!({"contents": [{"role": "user", "parts": [{"text": says}]}]}),
            )),
        ];
        for (n, answer) in answers.into_iter().enumerate() {
            match answer {
                Response::Json { status: 429, .. } => {}
                Response::Json { status, body } => panic!("provider {n}: {status} {body}"),
                _ => panic!("provider {n}: a stream, not a 429"),
            }
        }
    }
}
