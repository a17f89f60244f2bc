//! What a use case can answer besides its result, in one table: every error has a stable
//! code, the HTTP status it is answered with, and what it means in both languages; each
//! occurrence adds its own message in both languages (which field, which id, what was
//! expected). The web crate turns the status number into a response and picks the
//! viewer's language; internal details are logged, never shown.

use chainatlas_model::{Lang, Text};
use chainatlas_store::StoreError;

macro_rules! error_table {
    ($($(#[$doc:meta])* $variant:ident = ($code:literal, $status:literal, $zh:literal, $en:literal),)+) => {
        /// Every kind of error the product answers. The code is part of the API: it never
        /// changes once published.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)+
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)+];

            /// The stable machine-readable code.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)+ }
            }

            /// The HTTP status it is answered with.
            pub fn status(self) -> u16 {
                match self { $(ErrorCode::$variant => $status,)+ }
            }

            /// What this kind of error means, in both languages: a heading for the page
            /// that shows it, and the whole message where no detail may be shown.
            pub fn title(self) -> Text {
                match self { $(ErrorCode::$variant => Text::new($zh, $en),)+ }
            }
        }
    };
}

error_table! {
    /// A query parameter or path segment is malformed or out of range.
    InvalidParameter = ("invalid_parameter", 400, "参数有误", "invalid parameter"),
    /// A JSON body or form did not parse into the expected fields.
    InvalidBody = ("invalid_body", 400, "请求内容有误", "invalid request body"),
    /// A listing's fields break a rule (each problem named).
    InvalidListing = ("invalid_listing", 400, "供需信息有误", "invalid listing"),
    /// An event's fields break a rule.
    InvalidEvent = ("invalid_event", 400, "对接活动信息有误", "invalid event"),
    /// A registration's fields break a rule.
    InvalidParticipant = ("invalid_participant", 400, "报名信息有误", "invalid registration"),
    /// A meeting request breaks a rule of its event.
    InvalidMeetingRequest = ("invalid_meeting_request", 400, "洽谈邀约有误", "invalid meeting request"),
    /// An agreement's fields break a rule.
    InvalidAgreement = ("invalid_agreement", 400, "合作项目信息有误", "invalid agreement"),
    /// A record's fields (a chain, node, enterprise, relation edited through a form) break
    /// a rule of the import: each field named.
    InvalidRecord = ("invalid_record", 400, "记录信息有误", "invalid record"),
    /// A user's fields (username, role, enterprise, password) or a token's name break a
    /// rule: each field named.
    InvalidUser = ("invalid_user", 400, "用户信息有误", "invalid user"),
    /// An appeal's fields break a rule: each field named.
    InvalidAppeal = ("invalid_appeal", 400, "诉求信息有误", "invalid appeal"),
    /// A visit's fields break a rule: each field named.
    InvalidVisit = ("invalid_visit", 400, "走访信息有误", "invalid visit"),
    /// A calendar file of holidays and adjusted working days has bad lines (each named).
    InvalidCalendar = ("invalid_calendar", 400, "节假日文件有误", "invalid calendar file"),
    /// An assessment's answers break a rule: each question named.
    InvalidAssessment = ("invalid_assessment", 400, "自评估答卷有误", "invalid assessment"),
    /// Not signed in, or the token is unknown, expired or revoked.
    Unauthorized = ("unauthorized", 401, "请先登录", "sign in first"),
    /// Signed in, but the role does not allow it.
    Forbidden = ("forbidden", 403, "无权访问", "not allowed"),
    /// A cookie-authenticated write without a valid form token.
    Csrf = ("csrf", 403, "表单已过期", "stale form"),
    /// No region with this code in the atlas.
    RegionNotFound = ("region_not_found", 404, "没有这个地区", "no such region"),
    ChainNotFound = ("chain_not_found", 404, "没有这条产业链", "no such chain"),
    NodeNotFound = ("node_not_found", 404, "没有这个环节", "no such chain node"),
    EnterpriseNotFound = ("enterprise_not_found", 404, "没有这家企业", "no such enterprise"),
    ListingNotFound = ("listing_not_found", 404, "没有这条供需信息", "no such listing"),
    EventNotFound = ("event_not_found", 404, "没有这场对接活动", "no such event"),
    ParticipantNotFound = ("participant_not_found", 404, "没有这个参会方", "no such participant"),
    MeetingRequestNotFound = ("meeting_request_not_found", 404, "没有这条洽谈邀约", "no such meeting request"),
    MeetingNotFound = ("meeting_not_found", 404, "没有这场洽谈", "no such meeting"),
    AgreementNotFound = ("agreement_not_found", 404, "没有这个合作项目", "no such agreement"),
    AppealNotFound = ("appeal_not_found", 404, "没有这条诉求", "no such appeal"),
    VisitNotFound = ("visit_not_found", 404, "没有这次走访", "no such visit"),
    AssessmentNotFound = ("assessment_not_found", 404, "没有这份自评估", "no such assessment"),
    /// No node input, enterprise's node or supply relation with this key.
    RecordNotFound = ("record_not_found", 404, "没有这条记录", "no such record"),
    /// A delete refused because other records still refer to this one (each named).
    RecordInUse = ("record_in_use", 409, "仍被引用，不能删除", "still referred to"),
    UserNotFound = ("user_not_found", 404, "没有这个用户", "no such user"),
    TokenNotFound = ("token_not_found", 404, "没有这个 API 令牌", "no such API token"),
    /// No import with this number (of the viewer's, among the last kept).
    ImportNotFound = ("import_not_found", 404, "没有这次导入", "no such import"),
    /// Another import is running; the database takes one at a time.
    ImportRunning = ("import_running", 409, "另一次导入正在进行", "another import is running"),
    /// An uploaded bundle cannot be read at all (not a workbook or a zip of CSV files, or
    /// over a limit); problems with its rows come in the import's report instead.
    InvalidBundle = ("invalid_bundle", 422, "数据包无法读取", "unreadable bundle"),
    /// No page or endpoint at this path.
    NotFound = ("not_found", 404, "页面不存在", "not found"),
    /// Well formed, but the current state does not allow it (a request already answered, a
    /// cap reached): asking again later, or differently, may succeed.
    Conflict = ("conflict", 409, "与当前状态冲突", "conflicts with the current state"),
    /// The request body is over its documented limit.
    TooLarge = ("too_large", 413, "请求内容过大", "request too large"),
    /// Our fault: the details are in the server log.
    Internal = ("internal", 500, "服务器内部错误，详情已记入日志", "internal error; the details are in the server log"),
}

#[derive(Clone, Debug)]
pub struct AppError {
    code: ErrorCode,
    message: Text,
    /// For [`ErrorCode::Internal`]: what happened, for the log only.
    detail: Option<String>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: Text) -> AppError {
        AppError {
            code,
            message,
            detail: None,
        }
    }

    /// Our fault: `detail` goes to the log; the client reads only the table's words.
    pub fn internal(detail: impl Into<String>) -> AppError {
        AppError {
            code: ErrorCode::Internal,
            message: ErrorCode::Internal.title(),
            detail: Some(detail.into()),
        }
    }

    /// A refusal for a viewer whose role does not allow something.
    pub fn forbidden(message: Text) -> AppError {
        AppError::new(ErrorCode::Forbidden, message)
    }

    /// An enterprise-side action by an account bound to no enterprise.
    pub fn not_bound() -> AppError {
        AppError::forbidden(Text::new(
            "您的账号未绑定企业",
            "your account is not bound to an enterprise",
        ))
    }

    /// A malformed parameter.
    pub fn parameter(message: Text) -> AppError {
        AppError::new(ErrorCode::InvalidParameter, message)
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// What the client may read, in its language.
    pub fn public_message(&self, lang: Lang) -> &str {
        self.message.get(lang)
    }

    /// Writes an internal error's details to the log (where an answer leaves for the
    /// client, once); other errors are the client's and are not logged.
    pub fn log(&self) {
        if let Some(detail) = &self.detail {
            eprintln!("internal error: {detail}");
        }
    }

    /// Whether the input was wrong (a form shows it again with the message) rather than
    /// the request refused or failed.
    pub fn is_invalid_input(&self) -> bool {
        self.code.status() == 400
    }

    /// The message in both languages (an internal error's public words).
    pub fn message(&self) -> &Text {
        &self.message
    }
}

impl std::fmt::Display for AppError {
    /// The full message, internal details included: for the local operator (CLI, logs).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.detail {
            Some(detail) => f.write_str(detail),
            None => f.write_str(&self.message.en),
        }
    }
}

impl std::error::Error for AppError {}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::internal(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_code_is_unique_and_answered_with_an_error_status() {
        let codes: HashSet<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(codes.len(), ErrorCode::ALL.len());
        for code in ErrorCode::ALL {
            assert!((400..600).contains(&code.status()), "{code:?}");
            let title = code.title();
            assert!(!title.zh.is_empty() && !title.en.is_empty(), "{code:?}");
            assert!(
                title
                    .zh
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{code:?} has Chinese words"
            );
        }
    }

    #[test]
    fn the_api_document_lists_every_code_with_its_status() {
        let doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/api.md"));
        for code in ErrorCode::ALL {
            let row = format!("| `{}` | {} |", code.as_str(), code.status());
            assert!(doc.contains(&row), "docs/api.md lacks {row}");
        }
    }

    #[test]
    fn internal_details_stay_in_the_log() {
        let error = AppError::internal("disk I/O error at /var/lib/chainatlas/atlas.db");
        assert_eq!(error.code().status(), 500);
        assert_eq!(error.code().as_str(), "internal");
        for lang in [Lang::Zh, Lang::En] {
            assert!(!error.public_message(lang).contains("atlas.db"));
        }
        assert!(
            error.to_string().contains("atlas.db"),
            "the operator sees it"
        );
    }
}
